/**
 * Parameter serialization (OpenAPI 3 `style` / `explode`) undone: raw query pairs, header, cookie and
 * path strings → the value the parameter's schema describes (strings inside; Ajv coerces types).
 * Supported: form (query, cookie; exploded arrays repeat the name, exploded objects spread their
 * properties), spaceDelimited / pipeDelimited, deepObject (`filter[status]=open`), simple (path,
 * header), label and matrix (path), and `content: application/json` parameters.
 */
import { bracketPath, formDecode } from '../../../lib/parsers/query';
import type { ValueKind } from './shape';

export type ParamIn = 'query' | 'header' | 'path' | 'cookie';
export type Style = 'form' | 'simple' | 'deepObject' | 'spaceDelimited' | 'pipeDelimited' | 'label' | 'matrix';

export interface ParamSpec {
  name: string;
  in: ParamIn;
  style: Style;
  explode: boolean;
  kind: ValueKind;
  /** For exploded form objects: the property names that arrive as query parameters of their own. */
  properties: readonly string[];
  /** `content: { application/json: ... }` instead of `schema`. */
  json: boolean;
}

export const DEFAULT_STYLE: Record<ParamIn, Style> = { query: 'form', cookie: 'form', path: 'simple', header: 'simple' };
const STYLES_FOR: Record<ParamIn, readonly Style[]> = {
  query: ['form', 'spaceDelimited', 'pipeDelimited', 'deepObject'],
  cookie: ['form'],
  path: ['simple', 'label', 'matrix'],
  header: ['simple'],
};

export function styleAllowed(where: ParamIn, style: string): style is Style {
  return (STYLES_FOR[where] as readonly string[]).includes(style);
}

/** Query string → name → values (decoded like the library's query parser: '+' is a space). */
export function queryPairs(raw: string, maxPairs = 1024): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw === '') return out;
  let n = 0;
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    if (++n > maxPairs) break;
    const eq = piece.indexOf('=');
    const name = formDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : formDecode(piece.slice(eq + 1));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

export type Extracted = { present: false } | { present: true; value: unknown } | { present: true; error: string };

function jsonValue(raw: string): Extracted {
  try {
    return { present: true, value: JSON.parse(raw) };
  } catch {
    return { present: true, error: 'is not valid JSON' };
  }
}

function pairsToObject(parts: string[]): Record<string, string> {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) obj[parts[i]] = parts[i + 1];
  return obj;
}

/** A query (or form-body) parameter. */
export function fromQuery(spec: ParamSpec, pairs: ReadonlyMap<string, readonly string[]>): Extracted {
  const values = pairs.get(spec.name);
  if (spec.json) return values ? jsonValue(values[0]) : { present: false };
  if (spec.style === 'deepObject') {
    const obj: Record<string, unknown> = {};
    let present = false;
    const prefix = `${spec.name}[`;
    for (const [name, vs] of pairs) {
      if (!name.startsWith(prefix)) continue;
      present = true;
      const segs = bracketPath(name).path.split('.').slice(1);
      let target = obj;
      for (let i = 0; i < segs.length - 1; i++) {
        const next = target[segs[i]];
        target = (next !== null && typeof next === 'object' ? next : (target[segs[i]] = {})) as Record<string, unknown>;
      }
      if (segs.length > 0) target[segs[segs.length - 1]] = vs.length === 1 ? vs[0] : vs;
    }
    return present ? { present, value: obj } : { present: false };
  }
  if (spec.kind === 'object' && spec.explode) {
    const obj: Record<string, string> = {};
    let present = false;
    for (const p of spec.properties) {
      const v = pairs.get(p);
      if (v) {
        obj[p] = v[0];
        present = true;
      }
    }
    return present ? { present, value: obj } : { present: false };
  }
  if (!values) return { present: false };
  if (spec.kind === 'array') {
    if (spec.explode) return { present: true, value: [...values] };
    const sep = spec.style === 'spaceDelimited' ? ' ' : spec.style === 'pipeDelimited' ? '|' : ',';
    return { present: true, value: values[0] === '' ? [] : values[0].split(sep) };
  }
  if (values.length > 1) return { present: true, error: `is given ${values.length} times; expected once` };
  if (spec.kind === 'object') return { present: true, value: pairsToObject(values[0].split(',')) };
  return { present: true, value: values[0] };
}

/** Path, header and cookie values: one string, serialized per style. */
export function fromString(spec: ParamSpec, raw: string | undefined): Extracted {
  if (raw === undefined) return { present: false };
  if (spec.json) return jsonValue(raw);
  let s = raw;
  let sep = ',';
  if (spec.style === 'label') {
    if (s.startsWith('.')) s = s.slice(1);
    if (spec.explode) sep = '.';
  } else if (spec.style === 'matrix') {
    const prefix = `;${spec.name}=`;
    if (s.startsWith(prefix)) s = s.slice(prefix.length);
    if (spec.explode && spec.kind === 'array') return { present: true, value: s.split(prefix) };
  }
  const trim = spec.in === 'header';
  const split = (v: string): string[] => (v === '' ? [] : v.split(sep).map((x) => (trim ? x.trim() : x)));
  if (spec.kind === 'array') return { present: true, value: split(s) };
  if (spec.kind === 'object') {
    const parts = split(s);
    if (!spec.explode) return { present: true, value: pairsToObject(parts) };
    const obj: Record<string, string> = {};
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq > 0) obj[part.slice(0, eq)] = part.slice(eq + 1);
    }
    return { present: true, value: obj };
  }
  return { present: true, value: s };
}

/** `Cookie` header(s) → name → value (first wins, as most frameworks read them). */
export function cookiePairs(headers: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of headers) {
    for (const piece of h.split(';')) {
      const eq = piece.indexOf('=');
      if (eq <= 0) continue;
      const name = piece.slice(0, eq).trim();
      let value = piece.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!out.has(name)) out.set(name, value);
    }
  }
  return out;
}
