import { urlDecodeOnce } from '../decoders/url';
import { JOINED, type PointSource } from '../types';
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
  const pairs = splitQuery(raw);
  for (const { name, value } of pairs) {
    if (ctx.stopped) return;
    if (skip?.(name)) continue;
    const named = bracketPath(name);
    const path = `${prefix}.${named.path}`;
    if (!isPlainName(name)) ctx.add(path, name, source, { isKey: true, name: named.name, encodings });
    if (value !== '') ctx.add(path, value, source, { name: named.name, encodings });
  }
  if (pairs.length > 1) addJoinedDuplicates(ctx, pairs, prefix, source, encodings, skip);
}

/** Pairs compared name by name below this count; a map above it. */
const PAIRWISE_MAX = 16;

/** Every value of each name that occurs more than once, in order; null when no name repeats. */
function valuesOfRepeatedNames(pairs: readonly QueryPair[]): Map<string, string[]> | null {
  if (pairs.length > PAIRWISE_MAX) {
    const byName = new Map<string, string[]>();
    for (const p of pairs) {
      const values = byName.get(p.name);
      if (values === undefined) byName.set(p.name, [p.value]);
      else values.push(p.value);
    }
    for (const [name, values] of byName) if (values.length < 2) byName.delete(name);
    return byName.size > 0 ? byName : null;
  }
  // few pairs (the usual query): compare names, and allocate only when one repeats
  let repeated: Map<string, string[]> | null = null;
  for (let i = 1; i < pairs.length; i++) {
    const name = pairs[i].name;
    if (repeated?.has(name)) continue;
    for (let j = 0; j < i; j++) {
      if (pairs[j].name !== name) continue;
      (repeated ??= new Map()).set(name, pairs.filter((p) => p.name === name).map((p) => p.value));
      break;
    }
  }
  return repeated;
}

/**
 * HTTP parameter pollution: ASP.NET (Request.QueryString / Request.Form) hands the application every
 * value of a repeated name joined with commas. A SQL comment opened at the end of one `q` and closed at
 * the start of the next hides that comma, so the application receives one injection that neither value
 * shows on its own (`q=1' union/` + `*&q=*` + `/select 1`). Each repeated name gets one more point,
 * `<path>[joined]`, holding the joined value. A joined URL starts with the first value, so URL-target
 * detectors (open redirect, SSRF) learn nothing new from it and skip it: `u=https://a&u=https://b`
 * would otherwise read as a target on the odd host `a,https`.
 */
function addJoinedDuplicates(
  ctx: ParseContext,
  pairs: readonly QueryPair[],
  prefix: string,
  source: PointSource,
  encodings: readonly string[] | undefined,
  skip: ((name: string) => boolean) | undefined,
): void {
  const repeated = valuesOfRepeatedNames(pairs);
  if (repeated === null) return;
  for (const [name, values] of repeated) {
    if (ctx.stopped) return;
    if (skip?.(name) || values.every((v) => v === '')) continue;
    const named = bracketPath(name);
    ctx.add(`${prefix}.${named.path}[joined]`, values.join(','), source, { name: named.name, encodings: [...(encodings ?? []), JOINED] });
  }
}
