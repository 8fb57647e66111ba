/**
 * IPv4 host parsing the way inet_aton / libcurl / the WHATWG URL standard read it: one to four parts,
 * each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes. So `2130706433`,
 * `0x7f000001`, `0177.0.0.1`, `127.1` and `0x7f.1` are all 127.0.0.1. Returns the address as a number,
 * or null when the text is not an IPv4 host.
 */
function parsePart(p: string): number | null {
  if (p.length === 0 || p.length > 12) return null;
  let radix = 10;
  let digits = p;
  if (p.length > 1 && (p[1] === 'x' || p[1] === 'X') && p[0] === '0') {
    radix = 16;
    digits = p.slice(2);
    if (digits.length === 0) return 0;
  } else if (p.length > 1 && p[0] === '0') {
    radix = 8;
    digits = p.slice(1);
  }
  let v = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i) | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : 99;
    if (d >= radix) return null;
    v = v * radix + d;
  }
  return v;
}

export function parseIPv4(host: string): number | null {
  let h = host;
  if (h.endsWith('.')) h = h.slice(0, -1);
  const parts = h.split('.');
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const v = parsePart(p);
    if (v === null) return null;
    nums.push(v);
  }
  const last = nums[nums.length - 1];
  const head = nums.slice(0, -1);
  if (head.some((x) => x > 255)) return null;
  if (last >= 256 ** (5 - nums.length)) return null;
  let addr = 0;
  for (let i = 0; i < head.length; i++) addr += head[i] * 256 ** (3 - i);
  return addr + last;
}

export function formatIPv4(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

/** Why an address is internal, or null for a public address. */
export function internalIPv4(a: number): string | null {
  const b0 = a >>> 24;
  const b1 = (a >>> 16) & 255;
  if (a === 0xa9fea9fe) return 'metadata'; // 169.254.169.254
  if (a === 0x646464c8) return 'metadata'; // 100.100.100.200 (Alibaba)
  if (b0 === 127) return 'loopback';
  if (b0 === 0) return 'unspecified';
  if (b0 === 10 || (b0 === 172 && b1 >= 16 && b1 <= 31) || (b0 === 192 && b1 === 168)) return 'private';
  if (b0 === 169 && b1 === 254) return 'link-local';
  if (b0 === 100 && b1 >= 64 && b1 <= 127) return 'cgnat';
  return null;
}
