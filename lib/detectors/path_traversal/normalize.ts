/**
 * Path normalisation as the file APIs behind a web app see a value, after URL decoding (the shared
 * `url` decoder already handles multi-pass `%25..`, `%uHHHH` and overlong UTF-8 such as `%c0%ae`):
 *
 * - every separator a file API accepts becomes `/`: `\` (Windows, Tomcat), and the look-alikes that
 *   best-fit / NFKC mappings turn into a slash (`∕` U+2215, `∖` U+2216, `／`, `＼`, `⁄`) plus the private-use
 *   code points dotdotpwn-style payloads use for the same purpose (U+EFC8, U+F025);
 * - dot look-alikes (`．` U+FF0E, `․` U+2024, `﹒` U+FE52) become `.`;
 * - the literal `0x2e` / `0x2f` / `0x5c` spellings some decoders accept become `.` `/` `/`;
 * - percent escapes that are not valid hex (`%qf`, `%c1%pc` leftovers) cannot be decoded by any server, but
 *   fuzzers put them where a separator goes: they become `/` so the words around them stay separate;
 * - `..2f` / `..5c` (an escape whose `%` was stripped by one decoding layer) become `../` and `..\`.
 *
 * The result is lower-cased. Nothing here is a regex: one linear pass.
 */

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const SLASH_LIKE = new Set([0x5c, 0x2215, 0x2216, 0xff0f, 0xff3c, 0x2044, 0xefc8, 0xf025]);
const DOT_LIKE = new Set([0xff0e, 0x2024, 0xfe52]);

/** True when `s` holds anything normalizePath rewrites besides ASCII case. */
function needsRewrite(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 37) return true; // \ %
    if (c === 48 && (s.charCodeAt(i + 1) | 32) === 120) return true; // 0x..
    if (c === 50 || c === 53) {
      if (i >= 2 && s.charCodeAt(i - 1) === 46 && s.charCodeAt(i - 2) === 46) return true; // ..2f ..5c
    }
    if (c > 0x2000 && (SLASH_LIKE.has(c) || DOT_LIKE.has(c))) return true;
  }
  return false;
}

export function normalizePath(decoded: string): string {
  if (!needsRewrite(decoded)) return decoded.toLowerCase();
  const s = decoded;
  const n = s.length;
  let out = '';
  let copied = 0;
  const emit = (at: number, text: string, skip: number): number => {
    out += s.slice(copied, at) + text;
    copied = at + skip;
    return copied;
  };
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \\ */ || (c > 0x2000 && SLASH_LIKE.has(c))) {
      i = emit(i, '/', 1);
      continue;
    }
    if (c > 0x2000 && DOT_LIKE.has(c)) {
      i = emit(i, '.', 1);
      continue;
    }
    // 0x2e / 0x2f / 0x5c spelled out
    if (c === 48 /* 0 */ && i + 3 < n && (s.charCodeAt(i + 1) | 32) === 120 /* x */) {
      const a = s.charCodeAt(i + 2);
      const b = s.charCodeAt(i + 3) | 32;
      if (a === 50 /* 2 */ && b === 101 /* e */) {
        i = emit(i, '.', 4);
        continue;
      }
      if ((a === 50 && b === 102) /* 2f */ || (a === 53 && b === 99) /* 5c */) {
        i = emit(i, '/', 4);
        continue;
      }
    }
    // A leftover, undecodable percent escape: junk that stands where a separator goes.
    if (c === 37 /* % */ && i + 2 < n && isAlnum(s.charCodeAt(i + 1)) && isAlnum(s.charCodeAt(i + 2))) {
      if (!(isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2)))) {
        i = emit(i, '/', 3);
        continue;
      }
    }
    // `..2f` / `..5c`: a percent-stripped escape right after a dot-dot.
    if ((c === 50 /* 2 */ || c === 53) /* 5 */ && i >= 2 && s.charCodeAt(i - 1) === 46 && s.charCodeAt(i - 2) === 46) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) | 32 : 0;
      if ((c === 50 && next === 102) || (c === 53 && next === 99)) {
        i = emit(i, '/', 2);
        continue;
      }
    }
    i += 1;
  }
  return (out + s.slice(copied)).toLowerCase();
}

/** A character that ends the "name" part of a path segment: controls, NUL, high bytes from broken
 *  escapes, and the characters file APIs stop at or strip (`?`, `;` path parameters, `%`, `*`). */
export function isNameJunk(c: number): boolean {
  return c < 32 || (c >= 0x7f && c <= 0xff) || c === 63 || c === 59 || c === 37 || c === 42 || c === 124 || c === 34 || c === 60 || c === 62;
}

export interface Segment {
  /** The segment up to the first junk character, trailing dots/spaces trimmed (Windows strips them). */
  name: string;
  /** Made of dots (≥ 2) and junk only: `..`, `...`, `..;`, `.%00.`, `..À` — a parent-directory reference. */
  parent: boolean;
  /** Offset of the segment in the normalised string. */
  start: number;
  /** The segment exactly as it appears in the normalised string. */
  text: string;
}

export function splitSegments(norm: string): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  const n = norm.length;
  for (let i = 0; i <= n; i++) {
    if (i < n && norm.charCodeAt(i) !== 47) continue;
    let dots = 0;
    let alnum = false;
    let nameEnd = -1;
    for (let k = start; k < i; k++) {
      const c = norm.charCodeAt(k);
      if (c === 46) dots += 1;
      else if (isAlnum(c) || c > 0xff) alnum = true;
      if (nameEnd < 0 && isNameJunk(c)) nameEnd = k;
    }
    let name = norm.slice(start, nameEnd < 0 ? i : nameEnd);
    if (dots < name.length || !alnum) {
      // trailing dots and spaces are dropped by Windows file APIs ("boot.ini." is boot.ini)
      let e = name.length;
      while (e > 0 && (name.charCodeAt(e - 1) === 46 || name.charCodeAt(e - 1) === 32)) e -= 1;
      if (alnum) name = name.slice(0, e);
    }
    out.push({ name, parent: !alnum && dots >= 2, start, text: norm.slice(start, i) });
    start = i + 1;
  }
  return out;
}
