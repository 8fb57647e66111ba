const MIN_LENGTH = 8;

/** A character of the base64 or base64url alphabet (padding `=` not included). */
export function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
}

/** The 6-bit value of a base64/base64url character (`+`/`-` → 62, `/`/`_` → 63); check isBase64Char first. */
export function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c === 43 || c === 45 ? 62 : 63;
}

/**
 * The first `max` bytes that `s[0, end)` encodes (`end` before any padding), decoded by hand: for gates
 * that look at a few bytes of many short values without a Buffer per value. Callers check the alphabet.
 */
export function base64Bytes(s: string, end: number, max: number): number[] {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < end && out.length < max; i++) {
    acc = ((acc << 6) | sextet(s.charCodeAt(i))) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
    }
  }
  return out;
}

/** Share of characters a person would call text: printable ASCII, whitespace, or valid non-ASCII letters. */
function printableRatio(s: string): number {
  if (s.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || (c >= 0xa0 && c !== 0xfffd)) ok += 1;
  }
  return ok / s.length;
}

/**
 * Decodes `s` when the whole value is plausible base64 or base64url (padding optional) and the result is
 * mostly printable UTF-8 text; returns null otherwise. Binary blobs (images, ciphertext) stay opaque.
 */
export function decodeBase64Text(s: string): string | null {
  let t = s.trim();
  if (t.length < MIN_LENGTH) return null;
  let end = t.length;
  while (end > 0 && t.charCodeAt(end - 1) === 61 /* = */ && t.length - end < 2) end -= 1;
  for (let i = 0; i < end; i++) if (!isBase64Char(t.charCodeAt(i))) return null;
  t = t.slice(0, end);
  if (t.length % 4 === 1) return null;
  const buf = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length === 0) return null;
  const text = buf.toString('utf8');
  return printableRatio(text) >= 0.95 ? text : null;
}

/** The decoder-chain form: decoded text or the value unchanged. */
export function base64Decode(s: string): string {
  return decodeBase64Text(s) ?? s;
}
