// DOM helpers. Everything from events is attacker-controlled: it only ever becomes a text node (never innerHTML).

/** el('td', { className: 'num' }, 'text', childNode) — strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

const numberFormat = new Intl.NumberFormat();
const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const format = {
  number: (n) => numberFormat.format(n),
  compact: (n) => (n >= 10000 ? compactFormat.format(n) : numberFormat.format(n)),
  percent: (part, whole) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–'),
  time(iso) {
    const date = new Date(iso);
    const sameDay = date.toDateString() === new Date().toDateString();
    return sameDay
      ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
      : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  },
  ago(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (seconds < 60) return `${seconds}s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)}h ago`;
    return `${Math.round(seconds / 86400)}d ago`;
  },
};

const PALETTE = {
  sqli: '#e11d48', xss: '#f59e0b', rce: '#7c3aed', path_traversal: '#0891b2', nosqli: '#db2777', ssrf: '#2563eb',
  xxe: '#65a30d', ldapi: '#0d9488', ssti: '#9333ea', graphql_abuse: '#ea580c', brute_force: '#475569',
  api_violation: '#0ea5e9', denylisted_ip: '#111827', policy: '#a16207', scanner: '#14b8a6', crlf: '#c026d3',
};
const FALLBACK = ['#3b82f6', '#10b981', '#f97316', '#8b5cf6', '#ec4899', '#06b6d4', '#84cc16', '#eab308', '#6366f1', '#f43f5e'];

/** A stable color per attack type: known types get fixed colors, others a hash-picked one. */
export function colorOf(type) {
  if (PALETTE[type]) return PALETTE[type];
  let h = 0;
  for (const char of type) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return FALLBACK[h % FALLBACK.length];
}
