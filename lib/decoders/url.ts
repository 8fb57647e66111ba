import { decodeUtf8Lenient } from './utf8';

const MAX_PASSES = 4;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * One pass of percent-decoding: `%HH` runs are collected as bytes and decoded as (lenient, overlong-aware)
 * UTF-8; IIS-style `%uHHHH` gives the UTF-16 code unit. Malformed escapes stay as they are. '+' is kept:
 * whether it means a space depends on the container, and the query/form parsers already decided that.
 */
export function urlDecodeOnce(s: string): string {
  let i = s.indexOf('%');
  if (i < 0) return s;
  // Plain runs are copied as slices (one concatenation per run, not per character): long values with a
  // few escapes, such as binary uploads, stay cheap.
  let out = s.slice(0, i);
  const bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += decodeUtf8Lenient(bytes);
      bytes.length = 0;
    }
  };
  const n = s.length;
  while (i < n) {
    if (s.charCodeAt(i) === 37 /* % */) {
      const h1 = i + 1 < n ? hexValue(s.charCodeAt(i + 1)) : -1;
      const h2 = i + 2 < n ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (h1 >= 0 && h2 >= 0) {
        bytes.push(h1 * 16 + h2);
        i += 3;
        continue;
      }
      const u = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if ((u === 117 || u === 85) /* u U */ && i + 5 < n) {
        const a = hexValue(s.charCodeAt(i + 2));
        const b = hexValue(s.charCodeAt(i + 3));
        const d = hexValue(s.charCodeAt(i + 4));
        const e = hexValue(s.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
          flush();
          out += String.fromCharCode(((a * 16 + b) * 16 + d) * 16 + e);
          i += 6;
          continue;
        }
      }
      flush();
      out += '%';
      i += 1;
      continue;
    }
    flush();
    let next = s.indexOf('%', i);
    if (next < 0) next = n;
    out += s.slice(i, next);
    i = next;
  }
  flush();
  return out;
}

/** Percent-decodes until the value stops changing (double and triple encoding), at most MAX_PASSES times. */
export function urlDecode(s: string): string {
  let cur = s;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = urlDecodeOnce(cur);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}
