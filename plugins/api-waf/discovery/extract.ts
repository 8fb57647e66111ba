/**
 * One request → its parameters, by place: path (from the template), query, header (standard browser and
 * proxy headers skipped), cookie, body (JSON fields as dotted paths, `[]` for array elements, `$` for the
 * root; form fields). JSON is parsed here rather than taken from the detection library's points because
 * the inventory needs JSON's own types (a number is not the string "42").
 */
import { splitQuery } from '../../../lib/parsers/query';
import { inferJson, inferText, type Inferred } from './formats';
import { sensitiveFlags } from './sensitive';

export type ParamIn = 'path' | 'query' | 'header' | 'cookie' | 'body';
export type BodyKind = 'json' | 'form' | 'multipart' | 'xml' | 'text' | 'other';

/** Receives every parameter occurrence; `value` is the primitive's text (for distinct counting), '' for containers. */
export type ParamSink = (where: ParamIn, name: string, inferred: Inferred, flags: number, value: string) => void;

export interface ExtractLimits {
  /** Body bytes parsed; a longer body is counted by content type only. */
  maxBodyBytes: number;
  /** JSON nesting followed. */
  maxDepth: number;
  /** Array elements looked at per array. */
  arraySample: number;
  /** Parameter occurrences reported per request (query + headers + cookies + body). */
  maxPerRequest: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBodyBytes: 65536, maxDepth: 8, arraySample: 4, maxPerRequest: 256 };

/** Headers every browser, proxy or tracer sends: not API parameters. */
const STANDARD_HEADERS = new Set([
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'connection', 'content-length',
  'content-type', 'content-encoding', 'transfer-encoding', 'te', 'upgrade', 'keep-alive', 'cache-control', 'pragma', 'priority',
  'dnt', 'sec-gpc', 'upgrade-insecure-requests', 'referer', 'origin', 'cookie', 'if-none-match', 'if-match',
  'if-modified-since', 'if-unmodified-since', 'if-range', 'range', 'expect', 'max-forwards', 'via', 'forwarded',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path', 'x-forwarded-prefix',
  'x-real-ip', 'x-request-id', 'x-correlation-id', 'traceparent', 'tracestate', 'sentry-trace', 'baggage', 'x-amzn-trace-id',
  'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'b3', 'x-requested-with', 'purpose', 'sec-purpose',
  'access-control-request-method', 'access-control-request-headers', 'save-data', 'downlink', 'rtt', 'ect', 'dpr',
  'device-memory', 'viewport-width', 'width', 'x-kong-request-id', 'kong-request-id', 'x-http-method-override', 'date',
]);

export function isStandardHeader(name: string): boolean {
  return STANDARD_HEADERS.has(name) || name.startsWith('sec-') || name.startsWith('x-sec-ch-') || name.startsWith('cf-');
}

export function bodyKindOf(contentType: string): BodyKind {
  const t = contentType.split(';')[0].trim().toLowerCase();
  if (t === 'application/json' || t.endsWith('+json')) return 'json';
  if (t === 'application/x-www-form-urlencoded') return 'form';
  if (t.startsWith('multipart/')) return 'multipart';
  if (t.endsWith('/xml') || t.endsWith('+xml')) return 'xml';
  if (t.startsWith('text/')) return 'text';
  return 'other';
}

/** Last component of a dotted name, for name-based checks (`user.password` → `password`). */
function leaf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

/** Keys that would read as path syntax are escaped (`.` `[` `]` `%`). */
function escapeKey(k: string): string {
  if (!/[.[\]%]/.test(k)) return k;
  return k.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\[/g, '%5B').replace(/\]/g, '%5D');
}

export class Budget {
  constructor(public left: number) {}
}

function text(sink: ParamSink, budget: Budget, where: ParamIn, name: string, value: string): void {
  if (budget.left <= 0) return;
  budget.left--;
  sink(where, name, inferText(value), sensitiveFlags(leaf(name), value), value);
}

export function extractQuery(raw: string, sink: ParamSink, budget: Budget): void {
  if (raw === '') return;
  for (const { name, value } of splitQuery(raw)) if (name !== '') text(sink, budget, 'query', name, value);
}

export function extractHeaders(headers: Readonly<Record<string, string | readonly string[]>>, sink: ParamSink, budget: Budget): void {
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    const first = typeof v === 'string' ? v : Array.isArray(v) ? (v[0] as string | undefined) : undefined;
    if (first === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') extractCookies(typeof v === 'string' ? [v] : (v as readonly string[]), sink, budget);
    else if (!isStandardHeader(lower)) text(sink, budget, 'header', lower, first);
  }
}

export function extractCookies(values: readonly string[], sink: ParamSink, budget: Budget): void {
  for (const header of values) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name !== '') text(sink, budget, 'cookie', name, value);
    }
  }
}

export function extractJson(body: string, sink: ParamSink, budget: Budget, limits: ExtractLimits): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return false;
  }
  walk(doc, '$', '', 0, sink, budget, limits);
  return true;
}

function walk(v: unknown, name: string, leafName: string, depth: number, sink: ParamSink, budget: Budget, limits: ExtractLimits): void {
  if (budget.left <= 0) return;
  budget.left--;
  const inferred = inferJson(v);
  const isText = typeof v === 'string';
  sink('body', name, inferred, isText ? sensitiveFlags(leafName, v) : 0, isText ? v : inferred.type === 'object' || inferred.type === 'array' ? '' : String(v));
  if (v === null || typeof v !== 'object' || depth >= limits.maxDepth) return;
  const base = name === '$' ? '' : name;
  if (Array.isArray(v)) {
    const n = Math.min(v.length, limits.arraySample);
    for (let i = 0; i < n; i++) walk(v[i], `${base === '' ? '' : base}[]`, leafName, depth + 1, sink, budget, limits);
    return;
  }
  for (const key of Object.keys(v as Record<string, unknown>)) {
    const k = escapeKey(key);
    walk((v as Record<string, unknown>)[key], base === '' ? k : `${base}.${k}`, key, depth + 1, sink, budget, limits);
  }
}

export function extractForm(body: string, sink: ParamSink, budget: Budget): void {
  for (const { name, value } of splitQuery(body)) if (name !== '') text(sink, budget, 'body', name, value);
}
