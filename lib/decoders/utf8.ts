/**
 * Lenient UTF-8 decoding for attacker-supplied bytes. Unlike TextDecoder it decodes overlong forms
 * (`C0 AE` → '.', `E0 80 AF` → '/'), because servers that accepted them historically are exactly what
 * path-traversal payloads aim at; bytes that start no valid sequence map to the Latin-1 character with
 * the same value, so nothing is lost and nothing becomes U+FFFD.
 */
export function decodeUtf8Lenient(bytes: ArrayLike<number>): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    const need = b0 >= 0xc0 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf7 ? 3 : -1;
    if (need < 0 || i + need >= n) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    let cp = need === 1 ? b0 & 0x1f : need === 2 ? b0 & 0x0f : b0 & 0x07;
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    if (!ok || cp > 0x10ffff) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}
