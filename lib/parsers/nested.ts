import { decodeBase64Text } from '../decoders/base64';
import type { Point } from '../types';
import type { ParseContext } from './context';
import { walkJson } from './json';
import { bracketPath, isPlainName, splitQuery } from './query';

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
}

/** Shortest base64 value worth decoding: shorter "words" decode to noise and cost more than they find. */
const MIN_BASE64 = 12;

/**
 * Whole value in the base64/base64url alphabet and shaped like encoded text. The first character of each
 * 4-character group holds the top 6 bits of a byte, which for ASCII text are below 32 (`A`–`f`); long
 * IDs, hashes and binary blobs fail that test quickly, so they are not decoded just to be rejected.
 */
function looksBase64(s: string): boolean {
  if (s.length < MIN_BASE64) return false;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end -= 1;
  if (s.length - end > 2) return false;
  let groups = 0;
  let textLike = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isBase64Char(c)) return false;
    if ((i & 3) === 0) {
      groups += 1;
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 102)) textLike += 1;
      else if (groups >= 4 && textLike < groups * 0.75) return false;
    }
  }
  return textLike >= groups * 0.75;
}

function jsonShaped(s: string): boolean {
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(s.length - 1);
  return (a === 123 && z === 125) || (a === 91 && z === 93);
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function decodeJsonSegment(seg: string): unknown {
  const text = decodeBase64Text(seg);
  if (text === null || !jsonShaped(text.trim())) return undefined;
  const v = tryJson(text);
  return v !== null && typeof v === 'object' ? v : undefined;
}

/** `header.payload.signature` with a JSON header: claims (and header fields like `kid`) become points. Never verified. */
function isJwt(v: string): boolean {
  if (!v.startsWith('eyJ')) return false;
  const parts = v.split('.');
  return parts.length === 3 && parts[1] !== '' && decodeJsonSegment(parts[0]) !== undefined;
}

function peelJwt(ctx: ParseContext, point: Point, v: string, encodings: readonly string[]): boolean {
  if (!v.startsWith('eyJ')) return false;
  const parts = v.split('.');
  if (parts.length !== 3 || parts[1] === '') return false;
  const header = decodeJsonSegment(parts[0]);
  if (header === undefined) return false;
  const payload = decodeJsonSegment(parts[1]);
  const enc = [...encodings, 'jwt'];
  walkJson(ctx, header, `${point.path}[jwt-header]`, point.source, enc, point.name);
  if (payload !== undefined) walkJson(ctx, payload, `${point.path}[jwt]`, point.source, enc, point.name);
  return true;
}

/** `a=1&b=2` inside a value (or the query of a URL inside a value) as further points. */
function peelQuery(ctx: ParseContext | null, point: Point, v: string, encodings: readonly string[]): boolean {
  const eq = v.indexOf('=');
  if (eq <= 0) return false;
  let q = v;
  const qm = v.indexOf('?');
  if (qm >= 0 && qm < eq) q = v.slice(qm + 1);
  const hash = q.indexOf('#');
  if (hash >= 0) q = q.slice(0, hash);
  if (q.indexOf('=') <= 0 || (q === v && q.indexOf('&') < 0) || /\s/.test(q)) return false;
  const pairs = splitQuery(q);
  if (pairs.length === 0) return false;
  for (const p of pairs) {
    const named = bracketPath(p.name);
    if (p.name === '' || (!isPlainName(p.name) && named.path === p.name)) return false;
  }
  if (ctx === null) return true;
  const enc = [...encodings, 'query'];
  for (const p of pairs) {
    const named = bracketPath(p.name);
    if (p.value !== '') ctx.add(`${point.path}[query].${named.path}`, p.value, point.source, { name: named.name, encodings: enc });
  }
  return true;
}

/**
 * The nested-encoding peeler: a value that is a JWT, JSON text, base64(url) text or a query string
 * becomes further points (`query.token[jwt].sub`, `body.json.data[json].id`, `cookie.s[base64]`,
 * `query.next[query].url`), each recording the encodings peeled. Recursion happens through the context
 * (each new point is peeled in turn) and stops at maxDecodeDepth, which is reported.
 */
export function peelNested(ctx: ParseContext, point: Point): void {
  const raw = point.value;
  if (raw.length < 3) return;
  const v = raw.charCodeAt(0) <= 32 || raw.charCodeAt(raw.length - 1) <= 32 ? raw.trim() : raw;
  if (v.length < 3) return;
  const first = v.charCodeAt(0);
  if (!(first === 123 || first === 91 || v.indexOf('=') > 0 || first === 101 /* e of eyJ */ || looksBase64(v))) return;
  if (point.encodings.length >= ctx.limits.maxDecodeDepth) {
    if (peel(null, point, v)) {
      ctx.event('decode_depth_capped', `more than ${ctx.limits.maxDecodeDepth} nested encodings; inner layers not peeled`, point.path);
    }
    return;
  }
  peel(ctx, point, v);
}

/** Peels one layer off `v`; with a null context only answers whether there is a layer to peel. */
function peel(ctx: ParseContext | null, point: Point, v: string): boolean {
  const encodings = point.encodings;
  const first = v.charCodeAt(0);
  if (first === 123 || first === 91) {
    if (!jsonShaped(v)) return false;
    const parsed = tryJson(v);
    if (parsed === null || typeof parsed !== 'object') return false;
    if (ctx) walkJson(ctx, parsed, `${point.path}[json]`, point.source, [...encodings, 'json'], point.name);
    return true;
  }
  if (ctx === null ? isJwt(v) : peelJwt(ctx, point, v, encodings)) return true;
  if (looksBase64(v)) {
    const text = decodeBase64Text(v);
    if (text !== null) {
      if (ctx === null) return true;
      const t = text.trim();
      if (t.length > 1 && jsonShaped(t)) {
        const parsed = tryJson(t);
        if (parsed !== null && typeof parsed === 'object') {
          walkJson(ctx, parsed, `${point.path}[base64]`, point.source, [...encodings, 'base64', 'json'], point.name);
          return true;
        }
      }
      ctx.add(`${point.path}[base64]`, text, point.source, { name: point.name, encodings: [...encodings, 'base64'] });
      return true;
    }
  }
  return peelQuery(ctx, point, v, encodings);
}
