import { base64Bytes, decodeBase64Text, isBase64Char, sextet } from '../decoders/base64';
import { htmlDecode } from '../decoders/html';
import { hexValue, jsUnescape } from '../decoders/js';
import { CH } from '../features';
import type { Point } from '../types';
import type { ParseContext } from './context';
import { walkJson } from './json';
import { bracketPath, isPlainName, splitQuery } from './query';

/** Shortest base64 value worth decoding: shorter "words" decode to noise and cost more than they find. */
const MIN_BASE64 = 12;

/** Whole value in the base64/base64url alphabet and shaped like encoded text (ASCII, or UTF-8 text). */
function looksBase64(s: string): boolean {
  if (s.length < MIN_BASE64) return false;
  if (asciiTextShape(s)) return true;
  return utf8TextCandidate(s);
}

/**
 * Base64 of UTF-8 text outside ASCII (fullwidth `ｅｘｐｒｅｓｓｉｏｎ`, `¼script¾`) fails the ASCII
 * shape test (its groups start with `v`, `w`, `7`…). A complete, padded-length value of 16+ characters
 * that is not a hex token is decoded anyway; decodeBase64Text keeps it only if it is printable text.
 */
function utf8TextCandidate(s: string): boolean {
  // the first 12 bytes first: long tokens and padding runs leave without a walk over the whole value
  if (s.length < 16 || s.length % 4 !== 0 || !utf8Prefix(s)) return false;
  let hex = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isBase64Char(c) && !(c === 61 && i >= s.length - 2)) return false;
    if (hex && !((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) hex = false;
  }
  return !hex && decodeBase64Text(s) !== null;
}

/**
 * The first 12 decoded bytes are well-formed UTF-8 text (printable ASCII, or lead bytes with their
 * continuation bytes): rejects padding runs (`xxxx…` decodes to C7 1C 71…), tokens and blobs without a
 * full decode.
 */
function utf8Prefix(s: string): boolean {
  let need = 0;
  for (const b of base64Bytes(s, 16, 12)) {
    if (need > 0) {
      if ((b & 0xc0) !== 0x80) return false;
      need -= 1;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else if (!((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13)) return false;
  }
  return true;
}

/**
 * The first character of each 4-character group holds the top 6 bits of a byte, which for ASCII text are
 * below 32 (`A`–`f`); long IDs, hashes and binary blobs fail that test quickly, so they are not decoded
 * just to be rejected.
 */
function asciiTextShape(s: string): boolean {
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

/**
 * A short (8–11 character) base64 value whose text is ASCII with at least two symbols: `e3s3Kjd9fQ` is
 * `{{7*7}}`, `JyBvciAxLS0` is `' or 1--`. Short IDs and words decode to binary or to letters, so they
 * are not peeled; the text threshold for longer values (looksBase64) would reject these.
 */
function shortBase64Payload(s: string): boolean {
  return shortBase64Text(s) !== null;
}

/**
 * The text of a short base64 payload (see shortBase64Payload), decoded by hand as it is validated: no
 * buffers or byte arrays for IDs, and most of them (`SKU-1000`, `ord_8f2k`) leave at their first
 * non-printable byte.
 */
function shortBase64Text(s: string): string | null {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 && s.length - end < 2) end -= 1;
  if (s.length < 8 || s.length >= MIN_BASE64 || end % 4 === 1) return null;
  let symbols = 0;
  let text = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isBase64Char(c)) return null;
    acc = ((acc << 6) | sextet(c)) & 0xffffff;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    const b = (acc >> bits) & 255;
    if (b < 32 || b > 126) return null;
    if (!((b >= 48 && b <= 57) || ((b | 32) >= 97 && (b | 32) <= 122) || b === 32)) symbols += 1;
    text += String.fromCharCode(b);
  }
  return symbols >= 2 ? text : null;
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
  const chars = point.chars ?? -1; // -1: not computed, any class may be there
  if ((chars & (CH.BACKSLASH | CH.AMP)) !== 0) peelEscapes(ctx, point, raw, chars);
  const first = v.charCodeAt(0);
  if (!(first === 123 || first === 91 || ((chars & CH.EQUALS) !== 0 && v.indexOf('=') > 0) || first === 101 /* e of eyJ */ || looksBase64(v) || shortBase64Payload(v))) return;
  if (point.encodings.length >= ctx.limits.maxDecodeDepth) {
    if (peel(null, point, v)) {
      ctx.event('decode_depth_capped', `more than ${ctx.limits.maxDecodeDepth} nested encodings; inner layers not peeled`, point.path);
    }
    return;
  }
  peel(ctx, point, v);
}

/**
 * `\u0027`, `\x3c`, `\u{2f}` standing for ASCII: nobody escapes a quote, a slash or a letter that way
 * in text, but JavaScript, a second JSON parse or a template layer behind the API unescapes it. (Escapes
 * of non-ASCII letters, `\u00e9`, are how JSON carries text and are left alone.)
 */
function hasAsciiJsEscape(v: string): boolean {
  for (let at = v.indexOf('\\'); at >= 0 && at + 3 < v.length; at = v.indexOf('\\', at + 2)) {
    const kind = v.charCodeAt(at + 1);
    let code = -1;
    if (kind === 120 /* x */) code = hexValue(v, at + 2, 2);
    else if (kind === 117 /* u */) {
      if (v.charCodeAt(at + 2) === 123 /* { */) {
        const close = v.indexOf('}', at + 3);
        if (close > at + 3 && close - at <= 10) code = hexValue(v, at + 3, close - at - 3);
      } else code = hexValue(v, at + 2, 4);
    }
    if (code >= 0 && code < 0x80) return true;
  }
  return false;
}

/** A numeric character reference (`&#39;`, `&#x3c`) or a named one for markup/script syntax (`&lt;`, `&quot;`). */
function hasHtmlReference(v: string): boolean {
  for (let at = v.indexOf('&'); at >= 0 && at + 2 < v.length; at = v.indexOf('&', at + 1)) {
    const c = v.charCodeAt(at + 1);
    if (c === 35 /* # */) {
      const d = v.charCodeAt(at + 2) | 32;
      if ((d >= 48 && d <= 57) || d === 120) return true;
    } else if (HTML_NAMED.test(v.slice(at, at + 9))) return true;
  }
  return false;
}

const HTML_NAMED = /^&(?:lt|gt|quot|apos|amp|lpar|rpar|sol|bsol|colon|semi|equals|grave|lsqb|rsqb|lcub|rcub|num|excl|period|comma|verbar|ast|dollar|percnt|plus|quest|commat);/i;

/**
 * Values carrying JavaScript escapes or HTML character references for ASCII also become a decoded point
 * (`query.q[js]`, `body.json.note[html]`): an injection spelled `\u0027 OR 1=1` or `&#39; OR 1=1` is
 * meant for a layer that decodes it, and every detector should see what that layer will see.
 */
function peelEscapes(ctx: ParseContext, point: Point, v: string, chars: number): void {
  const js = (chars & CH.BACKSLASH) !== 0 && hasAsciiJsEscape(v);
  const html = (chars & CH.AMP) !== 0 && hasHtmlReference(v);
  if (!js && !html) return;
  if (point.encodings.length >= ctx.limits.maxDecodeDepth) {
    ctx.event('decode_depth_capped', `more than ${ctx.limits.maxDecodeDepth} nested encodings; inner layers not peeled`, point.path);
    return;
  }
  if (js) {
    const d = jsUnescape(v);
    if (d !== v) ctx.add(`${point.path}[js]`, d, point.source, { name: point.name, encodings: [...point.encodings, 'js'] });
  }
  if (html) {
    const d = htmlDecode(v);
    if (d !== v) ctx.add(`${point.path}[html]`, d, point.source, { name: point.name, encodings: [...point.encodings, 'html'] });
  }
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
  if (looksBase64(v) || shortBase64Payload(v)) {
    const text = v.length < MIN_BASE64 ? shortBase64Text(v) : decodeBase64Text(v);
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
