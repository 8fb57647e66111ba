// Dashboard controller: loads the JSON endpoints for the selected range and renders each panel.
import { api, onTokenNeeded } from './api.js';
import { splitBar, stackedBars } from './charts.js';
import { colorOf, el, format, replace } from './dom.js';
import { loadInventory, setupInventory } from './inventory.js';

const $ = (id) => document.getElementById(id);
const state = {
  range: localStorage.getItem('kong-api-shield.range') || '24h',
  filters: {},
  cursor: null,
  paged: false,
  series: null,
};
const REFRESH_MS = 30000;

// ---------- summary cards ----------
function renderCards(summary) {
  const handled = summary.blocked + summary.monitored;
  const card = (label, value, className = '') =>
    el('div', { className: `card ${className}` }, el('div', { className: 'label' }, label), el('div', { className: 'value' }, format.compact(value)));
  const total = summary.total || 0;
  const share = (n) => `${total ? (n / total) * 100 : 0}%`;
  replace($('cards'),
    card('Events', summary.total),
    card('Blocked', summary.blocked, 'blocked'),
    card('Monitored', summary.monitored, 'monitored'),
    card('Passed', summary.passed, 'passed'),
    card('Source IPs', summary.unique_ips),
    el('div', { className: 'card', id: 'ratio-card' },
      el('div', { className: 'label' }, 'Blocked vs monitored'),
      el('div', { className: 'ratio', title: `${format.percent(summary.blocked, handled)} of handled attacks were blocked` },
        el('span', { style: { width: share(summary.blocked), background: 'var(--blocked)' } }),
        el('span', { style: { width: share(summary.monitored), background: 'var(--monitored)' } }),
        el('span', { style: { width: share(summary.passed), background: 'var(--passed)' } })),
      el('div', { className: 'ratio-legend' },
        legendItem('var(--blocked)', `blocked ${format.percent(summary.blocked, total)}`),
        legendItem('var(--monitored)', `monitored ${format.percent(summary.monitored, total)}`),
        legendItem('var(--passed)', `passed ${format.percent(summary.passed, total)}`))));
}

function legendItem(color, text) {
  return el('span', {}, el('span', { className: 'swatch', style: { background: color, marginRight: '6px' } }), text);
}

// ---------- chart ----------
function renderChart(series) {
  state.series = series;
  const hours = series.bucket_seconds / 3600;
  $('bucket').textContent = `· per ${hours >= 24 ? `${hours / 24} d` : hours >= 1 ? `${hours} h` : `${series.bucket_seconds / 60} min`}`;
  replace($('legend'), ...series.types.map((type) =>
    el('button', { type: 'button', title: `Show ${type} events`, onclick: () => applyFilters({ ...state.filters, type }) },
      el('span', { className: 'swatch', style: { background: colorOf(type) } }), type,
      el('span', { className: 'muted' }, format.compact(series.totals[type] || 0)))));
  stackedBars($('chart'), series, $('tooltip'));
  const select = $('filter-type');
  const current = select.value;
  replace(select, el('option', { value: '' }, 'any'), ...series.types.map((type) => el('option', { value: type }, type)));
  if (current && !series.types.includes(current)) select.append(el('option', { value: current }, current));
  select.value = current;
}

// ---------- top lists ----------
function renderTopRoutes(routes) {
  if (routes.length === 0) return replace($('top-routes'), el('div', { className: 'empty' }, 'No routes attacked.'));
  const max = routes[0].count;
  replace($('top-routes'), el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Route'), el('th', { className: 'num' }, 'Events'), el('th', { className: 'num' }, 'Blocked'))),
    el('tbody', {}, ...routes.map((route) => el('tr', {},
      el('td', { className: 'barcell' },
        el('button', { type: 'button', className: 'link mono cut', title: route.path, onclick: () => applyFilters({ ...state.filters, route: route.path }) }, route.path),
        route.route_id ? el('span', { className: 'muted small' }, `  ${route.route_id}`) : null,
        splitBar(route.count, route.blocked, max)),
      el('td', { className: 'num' }, format.number(route.count)),
      el('td', { className: 'num' }, format.percent(route.blocked, route.count)))))));
}

function renderTopIps(ips) {
  if (ips.length === 0) return replace($('top-ips'), el('div', { className: 'empty' }, 'No source IPs yet.'));
  const max = ips[0].count;
  replace($('top-ips'), el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Source IP'), el('th', { className: 'num' }, 'Events'), el('th', { className: 'num' }, 'Last seen'), el('th', {}, ''))),
    el('tbody', {}, ...ips.map((ip) => el('tr', {},
      el('td', { className: 'barcell' },
        el('button', { type: 'button', className: 'link mono', onclick: () => applyFilters({ ...state.filters, ip: ip.client_ip }) }, ip.client_ip),
        splitBar(ip.count, ip.blocked, max)),
      el('td', { className: 'num' }, format.number(ip.count)),
      el('td', { className: 'num muted' }, format.ago(ip.last_seen)),
      el('td', { className: 'num' }, el('button', { type: 'button', className: 'ghost small', title: 'Add to the deny list for 1 day',
        onclick: () => addIpEntry({ cidr: ip.client_ip, list: 'deny', ttl_seconds: 86400, reason: 'from dashboard: top source IP' }) }, 'Deny 1d')))))));
}

// ---------- events ----------
function eventRows(event) {
  const types = [...new Set(event.attack_types.length ? event.attack_types : [event.kind])];
  const summary = el('tr', { className: 'summary', dataset: { id: event.id } },
    el('td', { className: 'muted', title: event.time }, format.time(event.time)),
    el('td', {}, el('span', { className: `badge ${event.action}` }, event.action)),
    el('td', {}, ...types.map((type) => el('span', { className: 'chip' }, el('span', { className: 'swatch', style: { background: colorOf(type) } }), type))),
    el('td', { className: 'cut' }, el('span', { className: 'method' }, event.method), el('span', { className: 'mono' }, event.path)),
    el('td', { className: 'mono' }, event.client_ip),
    el('td', { className: 'mono muted cut' }, event.rule || ''),
    el('td', { className: 'muted' }, event.node_id));
  const findings = event.findings.length
    ? event.findings.map((finding) => el('div', { className: 'finding' },
      el('div', { className: 'k' }, 'type'), el('div', {}, finding.type, finding.confidence !== undefined ? el('span', { className: 'muted' }, `  confidence ${finding.confidence}`) : null),
      el('div', { className: 'k' }, 'point'), el('div', { className: 'mono' }, finding.point),
      finding.excerpt !== undefined ? [el('div', { className: 'k' }, 'payload excerpt'), el('pre', { className: 'excerpt mono' }, finding.excerpt)] : null,
      finding.detail ? [el('div', { className: 'k' }, 'detail'), el('div', {}, finding.detail)] : null))
    : [el('div', { className: 'muted' }, 'No findings (', event.kind, ').')];
  const meta = (label, value) => (value === null || value === undefined || value === '' ? null : el('span', {}, `${label} `, el('b', {}, String(value))));
  const detail = el('tr', { className: 'detail', hidden: true },
    el('td', { colSpan: 7 },
      el('div', { className: 'meta' },
        meta('request', event.request_id), meta('status', event.status), meta('mode', event.mode), meta('plugin', event.plugin),
        meta('host', event.host), meta('route', event.route_id), meta('service', event.service_id), meta('consumer', event.consumer_id),
        meta('received', event.received_at)),
      el('div', { className: 'findings' }, ...findings),
      event.extra ? el('pre', { className: 'excerpt mono' }, JSON.stringify(event.extra, null, 2)) : null));
  summary.addEventListener('click', () => (detail.hidden = !detail.hidden));
  return [summary, detail];
}

// Each load gets a number; an answer that arrives after a newer load was started is stale (the filters
// changed while it was in flight) and is dropped, so the list always shows the latest filters.
let eventsLoadSeq = 0;

async function loadEvents(append = false) {
  const seq = ++eventsLoadSeq;
  const params = { range: state.range, limit: 25, ...state.filters, cursor: append ? state.cursor : undefined };
  const page = await api('/api/v1/events', { params });
  if (seq !== eventsLoadSeq) return;
  const body = $('events').tBodies[0];
  if (!append) body.replaceChildren();
  for (const event of page.events) body.append(...eventRows(event));
  if (!append && page.events.length === 0) {
    body.append(el('tr', {}, el('td', { colSpan: 7, className: 'empty' }, 'No events match these filters.')));
  }
  state.cursor = page.next_cursor;
  state.paged = append;
  $('more').hidden = !page.next_cursor;
  $('events-total').textContent = `· ${format.number(page.total)}${page.total_capped ? '+' : ''} matching`;
}

function applyFilters(filters) {
  state.filters = Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
  const form = $('filters');
  for (const name of ['type', 'action', 'ip', 'route', 'q']) {
    if (name === 'type' && state.filters.type && ![...form.type.options].some((o) => o.value === state.filters.type)) {
      form.type.append(el('option', { value: state.filters.type }, state.filters.type));
    }
    form[name].value = state.filters[name] || '';
  }
  loadEvents().catch(showError);
  $('events-title').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---------- IP lists and nodes ----------
async function loadIpLists() {
  const { entries } = await api('/api/v1/iplists');
  if (entries.length === 0) return replace($('iplists'), el('div', { className: 'empty' }, 'No entries. Nodes enforce only their local lists.'));
  replace($('iplists'), el('table', { id: 'iplist-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'CIDR'), el('th', {}, 'List'), el('th', {}, 'Reason'), el('th', {}, 'Expires'), el('th', {}, ''))),
    el('tbody', {}, ...entries.map((entry) => el('tr', { dataset: { id: entry.id, cidr: entry.cidr } },
      el('td', { className: 'mono' }, entry.cidr),
      el('td', {}, el('span', { className: `badge ${entry.list}` }, entry.list)),
      el('td', { className: 'cut muted' }, entry.reason || ''),
      el('td', { className: 'muted' }, entry.expires_at ? format.time(entry.expires_at) : 'never'),
      el('td', { className: 'num' }, el('button', { type: 'button', className: 'danger', title: `Remove ${entry.cidr}`,
        onclick: () => removeIpEntry(entry.id) }, 'Remove')))))));
}

async function addIpEntry(body) {
  $('ipform-error').textContent = '';
  try {
    await api('/api/v1/iplists', { method: 'POST', body });
    await loadIpLists();
    return true;
  } catch (error) {
    const details = error.body && Array.isArray(error.body.details) ? error.body.details.map((d) => `${d.path} ${d.message}`).join('; ') : '';
    $('ipform-error').textContent = details ? `${error.message}: ${details}` : error.message;
    return false;
  }
}

async function removeIpEntry(id) {
  await api(`/api/v1/iplists/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(showError);
  await loadIpLists();
}

async function loadNodes() {
  const { nodes } = await api('/api/v1/nodes');
  if (nodes.length === 0) return replace($('nodes'), el('div', { className: 'empty' }, 'No node has reported yet.'));
  replace($('nodes'), el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Node'), el('th', {}, 'Last seen'), el('th', { className: 'num' }, 'Events'), el('th', {}, 'Dropped'))),
    el('tbody', {}, ...nodes.map((node) => {
      const age = Date.now() - new Date(node.last_seen).getTime();
      const dropped = Object.entries(node.dropped).filter(([, n]) => n > 0);
      return el('tr', {},
        el('td', {}, el('span', { className: `dot ${age > 3600000 ? 'dead' : age > 300000 ? 'stale' : ''}` }), node.node_id),
        el('td', { className: 'muted' }, format.ago(node.last_seen)),
        el('td', { className: 'num' }, format.number(node.events_accepted)),
        el('td', {}, dropped.length ? dropped.map(([reason, n]) => el('span', { className: 'chip' }, `${reason} ${format.number(n)}`)) : el('span', { className: 'muted' }, 'none')));
    }))));
}

// ---------- wiring ----------
function showError(error) {
  $('updated').textContent = `error: ${error.message}`;
}

/** Auto-refresh leaves the event list alone while the operator reads it (details open or older pages loaded). */
function eventsInUse() {
  return state.paged || document.querySelector('#events tr.detail:not([hidden])') !== null;
}

async function refresh({ auto = false } = {}) {
  for (const button of document.querySelectorAll('#range button')) button.setAttribute('aria-pressed', String(button.dataset.range === state.range));
  const params = { range: state.range };
  const [summary, series, routes, ips] = await Promise.all([
    api('/api/v1/stats/summary', { params }),
    api('/api/v1/stats/timeseries', { params }),
    api('/api/v1/stats/top-routes', { params }),
    api('/api/v1/stats/top-ips', { params }),
  ]);
  renderCards(summary);
  renderChart(series);
  renderTopRoutes(routes.routes);
  renderTopIps(ips.ips);
  await Promise.all([auto && eventsInUse() ? null : loadEvents(), loadIpLists(), loadNodes(), loadInventory({ auto })]);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  document.body.dataset.ready = 'true';
}

function setupLogin() {
  const dialog = $('login');
  let pending = null;
  onTokenNeeded(() => new Promise((resolve) => {
    pending = resolve;
    if (!dialog.open) dialog.showModal();
  }));
  $('login-form').addEventListener('submit', () => pending && pending($('login-form').token.value.trim()));
  dialog.addEventListener('cancel', () => pending && pending(null));
}

function setupTheme() {
  const saved = localStorage.getItem('kong-api-shield.theme');
  if (saved) document.documentElement.dataset.theme = saved;
  $('theme').addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme
      ? document.documentElement.dataset.theme === 'dark'
      : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('kong-api-shield.theme', document.documentElement.dataset.theme);
  });
}

function main() {
  setupLogin();
  setupInventory(showError);
  setupTheme();
  $('range').addEventListener('click', (event) => {
    const range = event.target.closest('button')?.dataset.range;
    if (!range) return;
    state.range = range;
    localStorage.setItem('kong-api-shield.range', range);
    refresh().catch(showError);
  });
  $('refresh').addEventListener('click', () => refresh().catch(showError));
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters(Object.fromEntries(new FormData(event.target)));
  });
  // applyFilters({}) clears every field itself, so the browser's own (deferred) reset is not needed: doing it
  // synchronously means a filter typed right after Clear can never be wiped by a late reset.
  $('filters').addEventListener('reset', (event) => {
    event.preventDefault();
    applyFilters({});
  });
  $('more').addEventListener('click', () => loadEvents(true).catch(showError));
  $('ipform').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { cidr: form.cidr.value.trim(), list: form.list.value, reason: form.reason.value.trim() || null };
    if (form.ttl.value) body.ttl_seconds = Number(form.ttl.value);
    if (await addIpEntry(body)) form.reset();
  });
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.series && stackedBars($('chart'), state.series, $('tooltip')), 150);
  });
  setInterval(() => {
    if (document.visibilityState === 'visible') refresh({ auto: true }).catch(showError);
  }, REFRESH_MS);
  refresh().catch(showError);
}

main();
