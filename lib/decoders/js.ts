/**
 * JavaScript / JSON string escapes as an interpreter would read them: \xHH, \uHHHH, \u{H...}, octal
 * \OOO, the single-letter escapes, and `\<other>` → `<other>` (how JS treats unknown escapes).
 */
const SIMPLE: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

/** The value of the `len` hex digits at `from`, or -1 when any is not a hex digit or the text ends. */
export function hexValue(s: string, from: number, len: number): number {
  if (from + len > s.length) return -1;
  let v = 0;
  for (let k = from; k < from + len; k++) {
    const d = s.charCodeAt(k);
    const x = d >= 48 && d <= 57 ? d - 48 : d >= 97 && d <= 102 ? d - 87 : d >= 65 && d <= 70 ? d - 55 : -1;
    if (x < 0) return -1;
    v = v * 16 + x;
  }
  return v;
}

export function jsUnescape(s: string): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = s.slice(0, i);
  const n = s.length;
  while (i < n) {
    if (s.charCodeAt(i) !== 92 /* \\ */ || i + 1 >= n) {
      // copy the plain run up to the next backslash as one slice
      let next = s.indexOf('\\', i + 1);
      if (next < 0) next = n;
      out += s.slice(i, next);
      i = next;
      continue;
    }
    const e = s[i + 1];
    if (e === 'x') {
      const v = hexValue(s, i + 2, 2);
      if (v >= 0) {
        out += String.fromCharCode(v);
        i += 4;
        continue;
      }
    } else if (e === 'u') {
      if (s[i + 2] === '{') {
        const close = s.indexOf('}', i + 3);
        if (close > i + 3 && close - i - 3 <= 6) {
          const v = hexValue(s, i + 3, close - i - 3);
          if (v >= 0 && v <= 0x10ffff) {
            out += String.fromCodePoint(v);
            i = close + 1;
            continue;
          }
        }
      } else {
        const v = hexValue(s, i + 2, 4);
        if (v >= 0) {
          out += String.fromCharCode(v);
          i += 6;
          continue;
        }
      }
    } else if (e >= '0' && e <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < n && j - i <= 3 && s[j] >= '0' && s[j] <= '7') {
        v = v * 8 + (s.charCodeAt(j) - 48);
        j += 1;
      }
      out += String.fromCharCode(v & 0xff);
      i = j;
      continue;
    }
    out += SIMPLE[e] ?? e;
    i += 2;
  }
  return out;
}
