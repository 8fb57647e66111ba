// Small hand-drawn SVG charts: no library, no build step.
import { colorOf, el, format, replace, svg } from './dom.js';

/** Round step (1, 2, 5 × 10^n) so the y axis reads well. */
function niceStep(max, ticks) {
  const raw = Math.max(1, max) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return Math.max(1, step);
}

function tickLabel(date, bucketSeconds, spanMs) {
  if (spanMs > 2 * 86400000) return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) +
    (bucketSeconds < 86400 ? ` ${date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}` : '');
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/**
 * Stacked bar chart of series.points[i].counts by series.types. Hovering a column shows its breakdown in
 * `tooltip` (filled with text nodes only).
 */
export function stackedBars(container, series, tooltip, onPick) {
  const width = Math.max(320, container.clientWidth || 800);
  const height = Math.max(180, container.clientHeight || 260);
  const margin = { top: 10, right: 8, bottom: 26, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = series.points;
  const totals = points.map((p) => Object.values(p.counts).reduce((a, b) => a + b, 0));
  const peak = Math.max(0, ...totals);
  if (peak === 0) {
    replace(container, el('div', { className: 'empty' }, 'No attacks in this time range. Quiet is good.'));
    return;
  }
  const step = niceStep(peak, 4);
  const top = Math.ceil(peak / step) * step;
  const y = (value) => plotH - (value / top) * plotH;
  const slot = plotW / points.length;
  const barW = Math.max(1, Math.min(28, slot * 0.72));

  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Attacks over time by type' });
  const plot = svg('g', { transform: `translate(${margin.left},${margin.top})` });
  const grid = svg('g', { class: 'grid' });
  const axis = svg('g', { class: 'axis' });
  for (let value = 0; value <= top; value += step) {
    grid.append(svg('line', { x1: 0, x2: plotW, y1: y(value), y2: y(value) }));
    axis.append(svg('text', { x: -8, y: y(value) + 4, 'text-anchor': 'end' }, format.compact(value)));
  }
  const spanMs = new Date(points[points.length - 1].t) - new Date(points[0].t);
  const labelEvery = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(plotW / 90))));
  points.forEach((point, i) => {
    if (i % labelEvery !== 0) return;
    const x = i * slot + slot / 2;
    axis.append(svg('text', { x, y: plotH + 18, 'text-anchor': 'middle' }, tickLabel(new Date(point.t), series.bucket_seconds, spanMs)));
  });

  const bars = svg('g', { class: 'bars' });
  points.forEach((point, i) => {
    const x = i * slot + (slot - barW) / 2;
    let base = 0;
    for (const type of series.types) {
      const count = point.counts[type] || 0;
      if (!count) continue;
      const y0 = y(base + count);
      const h = Math.max(1, y(base) - y0);
      bars.append(svg('rect', { x, y: y0, width: barW, height: h, rx: barW > 6 ? 2 : 0, fill: colorOf(type), 'data-type': type }));
      base += count;
    }
    // A full-height invisible column makes thin bars easy to hover.
    const hit = svg('rect', { class: 'hit', x: i * slot, y: 0, width: slot, height: plotH, 'data-index': i });
    hit.addEventListener('mousemove', (event) => showTooltip(tooltip, event, point, totals[i], series));
    hit.addEventListener('mouseleave', () => (tooltip.hidden = true));
    if (onPick) hit.addEventListener('click', () => onPick(point));
    bars.append(hit);
  });
  plot.append(grid, bars, axis);
  root.append(plot);
  replace(container, root);
}

function showTooltip(tooltip, event, point, total, series) {
  const rows = series.types
    .filter((type) => point.counts[type])
    .map((type) => el('div', { className: 'row' }, el('span', { className: 'swatch', style: { background: colorOf(type) } }), type,
      el('b', {}, format.number(point.counts[type]))));
  replace(tooltip,
    el('div', { className: 'muted small' }, new Date(point.t).toLocaleString()),
    el('div', { className: 'row' }, el('strong', {}, 'Total'), el('b', {}, format.number(total))),
    ...rows);
  tooltip.hidden = false;
  const x = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${event.clientY + 14}px`;
}

/** A horizontal two-part bar (blocked share in red) used in the top lists. */
export function splitBar(count, blocked, max) {
  const width = max > 0 ? (count / max) * 100 : 0;
  const blockedShare = count > 0 ? (blocked / count) * 100 : 0;
  return el('div', { className: 'bar', style: { width: `${Math.max(2, width)}%` } },
    el('span', { style: { width: `${blockedShare}%`, background: 'var(--blocked)' } }),
    el('span', { style: { width: `${100 - blockedShare}%`, background: 'var(--monitored)' } }));
}
