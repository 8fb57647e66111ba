/**
 * IPv4/IPv6 parsing and CIDR matching. Hand-written scanners (no regex) because client addresses
 * and forwarded headers are attacker-controlled. IPv4-mapped IPv6 (::ffff:a.b.c.d) is treated as the
 * IPv4 address, so one list entry matches both spellings.
 */

export interface IpAddress {
  version: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr {
  version: 4 | 6;
  /** Network address (host bits cleared). */
  bytes: Uint8Array;
  prefix: number;
}

const MAX_IP_TEXT = 64;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses dotted-quad IPv4 ("10.0.0.1"). Leading zeros are rejected (ambiguous octal in some stacks). */
export function parseIPv4(text: string): Uint8Array | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // virtual trailing '.'
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (isDigit(c)) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - 48);
      if (value > 255 || ++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

/** Parses IPv6 text (with "::" compression and an optional trailing dotted IPv4). */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gapAt = 0;
    i = 2;
    if (i === n) return new Uint8Array(16); // "::"
  }
  let tail4: Uint8Array | undefined;
  while (i < n) {
    // read one group: hex digits up to ':' or end; or a dotted IPv4 tail
    let j = i;
    let value = 0;
    while (j < n && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 46) {
      tail4 = parseIPv4(text.slice(i));
      if (!tail4) return undefined;
      i = n;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return undefined;
    groups.push(value);
    i = j;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gapAt >= 0) return undefined; // second "::"
      gapAt = groups.length;
      i++;
    } else if (i === n) {
      return undefined; // trailing single ':'
    }
  }
  const needed = tail4 ? 6 : 8;
  if (groups.length > needed || (gapAt < 0 && groups.length !== needed) || (gapAt >= 0 && groups.length === needed)) {
    return undefined;
  }
  const full: number[] = [];
  if (gapAt >= 0) {
    full.push(...groups.slice(0, gapAt));
    for (let k = groups.length; k < needed; k++) full.push(0);
    full.push(...groups.slice(gapAt));
  } else {
    full.push(...groups);
  }
  const out = new Uint8Array(16);
  for (let k = 0; k < full.length; k++) {
    out[k * 2] = full[k] >> 8;
    out[k * 2 + 1] = full[k] & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (b[k] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * Parses an IPv4 or IPv6 address. Accepts "[v6]" brackets and a "%zone" suffix (dropped).
 * IPv4-mapped IPv6 becomes IPv4. Returns undefined for anything else.
 */
export function parseIp(input: string): IpAddress | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_IP_TEXT) return undefined;
  let text = input.trim();
  if (text.indexOf(':') < 0) {
    const v4 = parseIPv4(text);
    return v4 ? { version: 4, bytes: v4 } : undefined;
  }
  if (text.charCodeAt(0) === 91 && text.charCodeAt(text.length - 1) === 93) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const v6 = parseIPv6(text);
  if (!v6) return undefined;
  if (isV4Mapped(v6)) return { version: 4, bytes: v6.slice(12) };
  return { version: 6, bytes: v6 };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower-case, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.version === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push((b[k * 2] << 8) | b[k * 2 + 1]);
  let bestAt = -1;
  let bestLen = 1; // only runs of 2+ groups are compressed
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) {
      bestAt = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestAt < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestAt).map(hex).join(':')}::${g.slice(bestAt + bestLen).map(hex).join(':')}`;
}

/** Canonical form of an address string, or undefined when it is not an IP. */
export function normalizeIp(input: string): string | undefined {
  const ip = parseIp(input);
  return ip ? formatIp(ip) : undefined;
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const whole = prefix >> 3;
  for (let k = 0; k < whole; k++) out[k] = bytes[k];
  const rest = prefix & 7;
  if (rest && whole < bytes.length) out[whole] = bytes[whole] & (0xff << (8 - rest));
  return out;
}

/** Parses "10.0.0.0/8", "2001:db8::/32", or a bare address (= /32 or /128). Host bits are cleared. */
export function parseCidr(input: string): Cidr | undefined {
  if (typeof input !== 'string' || input.length > MAX_IP_TEXT + 4) return undefined;
  const slash = input.indexOf('/');
  const addrText = slash >= 0 ? input.slice(0, slash) : input;
  const ip = parseIp(addrText);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = input.slice(slash + 1).trim();
    if (p.length === 0 || p.length > 3) return undefined;
    prefix = 0;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(k);
      if (!isDigit(c)) return undefined;
      prefix = prefix * 10 + (c - 48);
    }
    // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) becomes the IPv4 network /8.
    if (ip.version === 4 && addrText.indexOf(':') >= 0) prefix -= 96;
    if (prefix < 0 || prefix > max) return undefined;
  }
  return { version: ip.version, bytes: maskBytes(ip.bytes, prefix), prefix };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version !== ip.version) return false;
  const masked = maskBytes(ip.bytes, cidr.prefix);
  for (let k = 0; k < masked.length; k++) if (masked[k] !== cidr.bytes[k]) return false;
  return true;
}

function v4Key(bytes: Uint8Array): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

function v6Key(bytes: Uint8Array): string {
  let s = '';
  for (let k = 0; k < 16; k++) s += (bytes[k] < 16 ? '0' : '') + bytes[k].toString(16);
  return s;
}

/**
 * A set of CIDRs with lookups costing one hash probe per DISTINCT prefix length in the set
 * (at most 33 for IPv4, 129 for IPv6), independent of the number of entries.
 */
export class CidrSet<T = true> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6 = new Map<number, Map<string, T>>();
  private v4Prefixes: number[] = [];
  private v6Prefixes: number[] = [];
  /** Entries that did not parse (kept so callers can log them). */
  readonly invalid: string[] = [];
  private count = 0;

  constructor(entries: Iterable<string> = [], value?: T) {
    for (const e of entries) this.add(e, value as T);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a CIDR; returns false (and records it in `invalid`) when it does not parse. */
  add(entry: string, value: T = true as T): boolean {
    const cidr = parseCidr(entry);
    if (!cidr) {
      this.invalid.push(String(entry));
      return false;
    }
    if (cidr.version === 4) {
      let m = this.v4.get(cidr.prefix);
      if (!m) {
        m = new Map();
        this.v4.set(cidr.prefix, m);
        this.v4Prefixes = [...this.v4.keys()].sort((a, b) => b - a);
      }
      if (!m.has(v4Key(cidr.bytes))) this.count++;
      m.set(v4Key(cidr.bytes), value);
    } else {
      let m = this.v6.get(cidr.prefix);
      if (!m) {
        m = new Map();
        this.v6.set(cidr.prefix, m);
        this.v6Prefixes = [...this.v6.keys()].sort((a, b) => b - a);
      }
      if (!m.has(v6Key(cidr.bytes))) this.count++;
      m.set(v6Key(cidr.bytes), value);
    }
    return true;
  }

  /** The value of the most specific matching CIDR, or undefined. Accepts text or a parsed address. */
  lookup(address: string | IpAddress): T | undefined {
    const ip = typeof address === 'string' ? parseIp(address) : address;
    if (!ip) return undefined;
    if (ip.version === 4) {
      const whole = v4Key(ip.bytes);
      for (const p of this.v4Prefixes) {
        const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
        const hit = this.v4.get(p)!.get((whole & mask) >>> 0);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    for (const p of this.v6Prefixes) {
      const hit = this.v6.get(p)!.get(v6Key(maskBytes(ip.bytes, p)));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  has(address: string | IpAddress): boolean {
    return this.lookup(address) !== undefined;
  }
}
