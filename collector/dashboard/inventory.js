// API inventory panel: endpoints (method, template, requests, last seen, sensitive-data badges, shadow
// marker), per-endpoint parameters on click, "changed since" / route / shadow-only filters, OpenAPI export.
// Everything shown comes from traffic (attacker-influenced): text nodes only, never innerHTML.
import { api } from './api.js';
import { el, format, replace } from './dom.js';

const $ = (id) => document.getElementById(id);
const state = { filters: {}, exportUrl: null };
let reportError = () => undefined;

const summarize = (hist) => Object.entries(hist || {}).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${format.compact(n)}`).join(', ');

function paramTable(params) {
  if (params.length === 0) return el('div', { className: 'muted' }, 'No parameters observed.');
  return el('table', { className: 'params' },
    el('thead', {}, el('tr', {}, el('th', {}, 'In'), el('th', {}, 'Name'), el('th', {}, 'Types'), el('th', {}, 'Formats'), el('th', { className: 'num' }, 'Seen'), el('th', {}, 'Sensitive'))),
    el('tbody', {}, ...params.map((p) => el('tr', { dataset: { param: `${p.in}.${p.name}` } },
      el('td', { className: 'muted' }, p.in),
      el('td', { className: 'mono' }, p.name, p.new ? el('span', { className: 'badge new' }, 'new') : null),
      el('td', {}, summarize(p.types)),
      el('td', { className: 'muted' }, summarize(p.formats)),
      el('td', { className: 'num' }, format.number(p.count)),
      el('td', {}, ...p.sensitive.map((s) => el('span', { className: 'badge sensitive' }, s)))))));
}

function endpointRows(e) {
  const row = el('tr', { className: `summary${e.shadow ? ' shadow' : ''}`, dataset: { endpoint: `${e.method} ${e.template}` } },
    el('td', {}, el('span', { className: 'method' }, e.method)),
    el('td', { className: 'cut' }, el('span', { className: 'mono' }, e.template),
      e.shadow ? el('span', { className: 'badge shadow', title: 'not declared by the OpenAPI document of its route/service' }, 'shadow') : null,
      e.new ? el('span', { className: 'badge new' }, 'new') : null),
    el('td', { className: 'num' }, format.number(e.count)),
    el('td', { className: 'muted', title: e.last_seen }, format.ago(e.last_seen)),
    el('td', {}, ...e.sensitive.map((s) => el('span', { className: 'badge sensitive' }, s))),
    el('td', { className: 'muted mono cut' }, e.route_id || ''));
  const detail = el('tr', { className: 'detail', hidden: true },
    el('td', { colSpan: 6 },
      el('div', { className: 'meta' },
        el('span', {}, 'first seen ', el('b', {}, format.time(e.first_seen))),
        el('span', {}, 'bodies ', el('b', {}, summarize(e.content_types) || 'none')),
        e.service_id ? el('span', {}, 'service ', el('b', {}, e.service_id)) : null,
        e.params_capped ? el('span', {}, 'parameters not tracked ', el('b', {}, String(e.params_capped))) : null),
      paramTable(e.params)));
  row.addEventListener('click', () => (detail.hidden = !detail.hidden));
  return [row, detail];
}

function queryParams() {
  const f = state.filters;
  return { since: f.since ? new Date(`${f.since}T00:00:00`).toISOString() : undefined, route: f.route || undefined };
}

/** Auto-refresh leaves the table alone while an endpoint's parameters are open. */
export async function loadInventory({ auto = false } = {}) {
  if (auto && document.querySelector('#inventory tr.detail:not([hidden])')) return;
  const data = await api(state.filters.shadow ? '/api/v1/inventory/shadow' : '/api/v1/inventory', { params: queryParams() });
  const body = $('inventory').tBodies[0];
  body.replaceChildren();
  for (const e of data.endpoints) body.append(...endpointRows(e));
  if (data.endpoints.length === 0) {
    body.append(el('tr', {}, el('td', { colSpan: 6, className: 'empty' }, state.filters.since || state.filters.shadow ? 'Nothing matches these filters.' : 'No endpoint discovered yet (enable discovery in api-waf).')));
  }
  $('inventory-total').textContent = `· ${format.number(data.endpoints.length)} endpoints`;
  if (data.specs) {
    $('inventory-specs').textContent = data.specs.length
      ? `OpenAPI documents: ${data.specs.map((s) => `${s.scope} (${s.operations} operations)`).join(', ')}`
      : 'no OpenAPI document uploaded: shadow detection off';
  }
}

async function showExport() {
  const doc = await api('/api/v1/inventory/openapi', { params: { route: state.filters.route || undefined } });
  const text = JSON.stringify(doc, null, 2);
  $('inventory-export-text').textContent = text;
  if (state.exportUrl) URL.revokeObjectURL(state.exportUrl);
  state.exportUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  $('inventory-download').href = state.exportUrl;
  $('inventory-export-view').hidden = false;
}

export function setupInventory(onError) {
  reportError = onError;
  const form = $('inventory-filters');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters = { since: form.since.value, route: form.route.value.trim(), shadow: form.shadow.checked };
    loadInventory().catch(reportError);
  });
  form.addEventListener('reset', () => setTimeout(() => {
    state.filters = {};
    loadInventory().catch(reportError);
  }, 0));
  $('inventory-export').addEventListener('click', () => showExport().catch(reportError));
}
