/**
 * Host and IP parsing as Kong's `kong/tools/ip.lua` does it (`normalize_ip`, `hostname_type`,
 * `is_valid_ip_or_cidr`), for the `host`, `hosts` and sources/destinations validators.
 * Inputs here are Admin API values, not proxy traffic; all regexes are linear.
 */
import { isIP } from 'node:net';

export interface NormalizedIp {
  type: 'ipv4' | 'ipv6' | 'name';
  host: string;
  port?: number;
}

export function hostnameType(name: string): NormalizedIp['type'] {
  const colons = name.split(':').length - 1;
  if (colons > 1) return 'ipv6';
  if (/^[\d.]+$/.test(name.replace(/:/g, ''))) return 'ipv4';
  return 'name';
}

function normalizeIpv4(address: string): NormalizedIp | string {
  const m = address.includes(':')
    ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d+)$/.exec(address)
    : /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return `invalid ipv4 address: ${address}`;
  const parts = m.slice(1, 5).map(Number);
  if (parts.some((p) => p > 255)) return `invalid ipv4 address: ${address}`;
  let port: number | undefined;
  if (m[5] !== undefined) {
    port = Number(m[5]);
    if (port > 65535) return 'invalid port number';
  }
  return { type: 'ipv4', host: parts.join('.'), port };
}

function normalizeIpv6(address: string): NormalizedIp | string {
  let check = address;
  let port: number | undefined;
  const bracket = /^\[([^\]]*)\](.*)$/.exec(address);
  if (bracket) {
    check = bracket[1];
    if (bracket[2] !== '') {
      const pm = /^:(\d*)$/.exec(bracket[2]);
      if (!pm) return 'invalid ipv6 address';
      port = Number(pm[1]);
      if (port > 65535) return 'invalid port number';
    }
  }
  if (isIP(check) !== 6) return `invalid ipv6 address: ${address}`;
  return { type: 'ipv6', host: check.toLowerCase(), port };
}

function checkHostname(address: string): NormalizedIp | string {
  let name = address;
  let port: number | undefined;
  const pm = /:(\d+)$/.exec(address);
  if (pm) {
    name = name.slice(0, -(pm[1].length + 1));
    port = Number(pm[1]);
    if (port > 65535) return 'invalid port number';
  }
  if (!/^[\dA-Za-z\-._]+$/.test(name)) return `invalid hostname: ${address}`;
  const segments = name.split('.');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.endsWith('-') || (s === '' && i !== segments.length - 1)) return `invalid hostname: ${address}`;
  }
  return { type: 'name', host: name, port };
}

/** A NormalizedIp, or Kong's error string. */
export function normalizeIp(address: string): NormalizedIp | string {
  const t = hostnameType(address);
  if (t === 'ipv4') return normalizeIpv4(address);
  if (t === 'ipv6') return normalizeIpv6(address);
  return checkHostname(address);
}

export function isValidIp(ip: string): boolean {
  return isIP(ip) !== 0;
}

export function isValidIpOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return isValidIp(value);
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const v = isIP(ip);
  if (v === 0) return false;
  return Number(bits) <= (v === 4 ? 32 : 128);
}
