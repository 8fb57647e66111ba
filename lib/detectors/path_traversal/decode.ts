import { urlDecodeOnce } from '../../decoders/url';

/**
 * Percent-decoding as the most lenient file-serving stacks did it, for path checks only. On top of the
 * shared decoder (multi-pass, `%uHHHH`, overlong UTF-8) it folds the forms those stacks turned into
 * separators or dots although they are not valid UTF-8:
 * - two-byte sequences led by C0/C1 whose low bits give `/`, `\` or `.` under either the 6-bit
 *   (`%c1%1c` → `\`, as IIS read it) or the 7-bit mask (`%c1%af` → `/`);
 * - five- and six-byte overlong forms (`%f8%80%80%80%ae`, `%fc%80%80%80%80%af`);
 * - nibble-split escapes left after one pass (`%%32%%66` → `%2%f` → `/`).
 */
const TARGETS = new Set([0x2e, 0x2f, 0x5c]);
const MAX_PASSES = 4;

function hexAt(s: string, i: number): number {
  if (i + 1 >= s.length) return -1;
  const h = parseHexDigit(s.charCodeAt(i));
  const l = parseHexDigit(s.charCodeAt(i + 1));
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

function parseHexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Reads `%HH` at i, or -1. */
function escapeAt(s: string, i: number): number {
  return s.charCodeAt(i) === 37 ? hexAt(s, i + 1) : -1;
}

function foldLenient(s: string): string {
  let out = '';
  let copied = 0;
  let i = s.indexOf('%');
  const n = s.length;
  if (i < 0) return s;
  while (i >= 0 && i < n) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const lead = escapeAt(s, i);
      if (lead === 0xc0 || lead === 0xc1) {
        const b = escapeAt(s, i + 3);
        if (b >= 0) {
          const six = ((lead & 1) << 6) | (b & 0x3f);
          const seven = b & 0x7f;
          const ch = TARGETS.has(six) ? six : TARGETS.has(seven) ? seven : -1;
          if (ch >= 0) {
            out += s.slice(copied, i) + String.fromCharCode(ch);
            i += 6;
            copied = i;
            i = s.indexOf('%', i);
            continue;
          }
        }
      } else if (lead === 0xf8 || lead === 0xfc) {
        const len = lead === 0xf8 ? 5 : 6;
        let ok = true;
        for (let k = 1; k < len - 1 && ok; k++) ok = escapeAt(s, i + 3 * k) === 0x80;
        const last = ok ? escapeAt(s, i + 3 * (len - 1)) : -1;
        if (last >= 0 && TARGETS.has(last & 0x3f)) {
          out += s.slice(copied, i) + String.fromCharCode(last & 0x3f);
          i += 3 * len;
          copied = i;
          i = s.indexOf('%', i);
          continue;
        }
      } else if (lead < 0 && i + 3 < n && s.charCodeAt(i + 2) === 37) {
        // `%2%f`: one hex digit, then an escape-like `%f`
        const h = parseHexDigit(s.charCodeAt(i + 1));
        const l = parseHexDigit(s.charCodeAt(i + 3));
        if (h >= 0 && l >= 0 && TARGETS.has(h * 16 + l)) {
          out += s.slice(copied, i) + String.fromCharCode(h * 16 + l);
          i += 4;
          copied = i;
          i = s.indexOf('%', i);
          continue;
        }
      }
    }
    i = s.indexOf('%', i + 1);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/**
 * Could the decoded value contain a parent reference? Dot-dot itself, or an escape / spelling that can
 * decode to a dot: `%2e`, overlong leads (`%c0` `%c1` `%e0` `%f0` `%f8` `%fc`), `%u`, double-encoded `%25`,
 * `0x2e`, and the Unicode dot look-alikes. Cheap, and used to skip long values quickly.
 */
export function mayHaveParent(raw: string): boolean {
  if (raw.indexOf('..') >= 0 || raw.indexOf('0x2e') >= 0 || raw.indexOf('0X2E') >= 0 || raw.indexOf('0x2E') >= 0) return true;
  for (let i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
    const a = raw.charCodeAt(i + 1) | 32;
    const b = raw.charCodeAt(i + 2) | 32;
    if (a === 117 /* u */) return true;
    if (a === 50 && (b === 101 || b === 53)) return true; // %2e %25
    if (a === 99 && (b === 48 || b === 49)) return true; // %c0 %c1
    if (a === 101 && b === 48) return true; // %e0
    if (a === 102 && (b === 48 || b === 56 || b === 99)) return true; // %f0 %f8 %fc
    if (raw.charCodeAt(i + 1) === 37) return true; // %%32%65 nibble splitting
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0xff0e || c === 0x2024 || c === 0xfe52) return true;
  }
  return false;
}

export function decodePathValue(raw: string): string {
  let cur = raw;
  for (let pass = 0; pass < MAX_PASSES && cur.indexOf('%') >= 0; pass++) {
    const next = urlDecodeOnce(foldLenient(cur));
    if (next === cur) break;
    cur = next;
  }
  return cur;
}
