import { urlDecodeOnce } from '../decoders/url';
import type { PointSource } from '../types';
import type { ParseContext } from './context';

/** Names made only of these characters cannot carry a payload, so they are not inspected as key points. */
export function isPlainName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

/** application/x-www-form-urlencoded component: '+' is a space, then one lenient percent-decoding pass. */
export function formDecode(s: string): string {
  const spaced = s.indexOf('+') >= 0 ? s.replace(/\+/g, ' ') : s;
  return urlDecodeOnce(spaced);
}

export interface NamedPart {
  /** Path suffix: `a[b][c]` becomes `a.b.c`, `a[]` becomes `a`. */
  path: string;
  /** Innermost name, lower-cased by the context. */
  name: string;
}

/** Splits PHP/Rails-style bracket names (`user[address][city]`) into a dotted path. */
export function bracketPath(name: string): NamedPart {
  const open = name.indexOf('[');
  if (open <= 0 || name.charCodeAt(name.length - 1) !== 93 /* ] */) return { path: name, name };
  const parts = [name.slice(0, open)];
  let i = open;
  while (i < name.length && name.charCodeAt(i) === 91 /* [ */) {
    const close = name.indexOf(']', i + 1);
    if (close < 0) return { path: name, name };
    const seg = name.slice(i + 1, close);
    if (seg !== '') parts.push(seg);
    i = close + 1;
  }
  if (i !== name.length) return { path: name, name };
  return { path: parts.join('.'), name: parts[parts.length - 1] };
}

/** One decoded `name=value` pair of a query string or form body. */
export interface QueryPair {
  name: string;
  value: string;
}

export function splitQuery(raw: string): QueryPair[] {
  const out: QueryPair[] = [];
  if (raw === '') return out;
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = formDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : formDecode(piece.slice(eq + 1));
    out.push({ name, value });
  }
  return out;
}

/**
 * Adds the points of a query string or urlencoded form: `<prefix>.<name>` per value (duplicates kept,
 * each one inspected), and the name itself as a key point when it is not a plain identifier
 * (`user[$ne]`, `a'or'1`). `skip` lets the caller claim parameters it handles itself (GraphQL).
 */
export function addQueryPoints(
  ctx: ParseContext,
  raw: string,
  prefix: string,
  source: PointSource,
  encodings?: readonly string[],
  skip?: (name: string) => boolean,
): void {
  for (const { name, value } of splitQuery(raw)) {
    if (ctx.stopped) return;
    if (skip?.(name)) continue;
    const named = bracketPath(name);
    const path = `${prefix}.${named.path}`;
    if (!isPlainName(name)) ctx.add(path, name, source, { isKey: true, name: named.name, encodings });
    if (value !== '') ctx.add(path, value, source, { name: named.name, encodings });
  }
}
