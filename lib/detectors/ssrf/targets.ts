import { formatIPv4, internalIPv4, parseIPv4 } from './ipv4';

/**
 * Classifies a URL host (as a URL parser hands it over: lower-case, IPv6 in brackets) as an internal
 * target: cloud metadata endpoints by address or name, loopback/private/link-local IPv4 in any spelling,
 * IPv6 loopback/ULA/link-local and IPv4-mapped forms, `localhost` names, and DNS names that embed an
 * internal address for a wildcard resolver (`127.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `localtest.me`).
 */
export interface Target {
  kind: string; // metadata | cluster | loopback | private | link-local | unspecified | cgnat | rebinding
  host: string;
}

const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal', 'metadata.packet.net', 'metadata.tencentyun.com']);
/** Names that resolve to loopback by design. */
const CLUSTER_NAMES = new Set(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc']);
const CLUSTER_SUFFIXES = ['.svc', '.svc.cluster.local', '.cluster.local', '.service.consul', '.node.consul', '.ec2.internal', '.compute.internal', '.c.internal'];

const LOOPBACK_NAMES = ['localhost', 'localtest.me', 'lvh.me', 'vcap.me', 'lacolhost.com', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'];
/** Wildcard DNS services: `<ip>.<service>` resolves to <ip>. */
const WILDCARD_DNS = ['nip.io', 'xip.io', 'sslip.io', 'xip.name', 'nip.direct', 'localtest.me', 'traefik.me', '1u.ms', 'rbndr.us'];

function ipv6Internal(h: string): string | null {
  const a = h.replace(/^\[|\]$/g, '');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1' || a === '::') return a === '::' ? 'unspecified' : 'loopback';
  if (a === 'fd00:ec2::254') return 'metadata';
  const mapped = a.match(/^(?:0:0:0:0:0:)?(?:::)?ffff:(.+)$/);
  if (mapped !== null) {
    const tail = mapped[1];
    let v4: number | null = parseIPv4(tail);
    if (v4 === null) {
      // WHATWG serialises ::ffff:127.0.0.1 as ::ffff:7f00:1
      const hx = tail.split(':');
      if (hx.length === 2) v4 = parseInt(hx[0], 16) * 65536 + parseInt(hx[1], 16);
    }
    if (v4 !== null && !Number.isNaN(v4)) return internalIPv4(v4);
  }
  if (/^f[cd][0-9a-f]{2}:/.test(a)) return 'private';
  if (/^fe[89ab][0-9a-f]:/.test(a)) return 'link-local';
  return null;
}

export function classifyHost(rawHost: string): Target | null {
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  if (host === '') return null;
  if (host.startsWith('[')) {
    const k = ipv6Internal(host);
    return k === null ? null : { kind: k, host };
  }
  const v4 = parseIPv4(host);
  if (v4 !== null) {
    const k = internalIPv4(v4);
    return k === null ? null : { kind: k, host: formatIPv4(v4) };
  }
  if (METADATA_NAMES.has(host)) return { kind: 'metadata', host };
  // Names only a cluster's or cloud VPC's DNS resolves: the Kubernetes API (`kubernetes.default.svc`,
  // reached with the pod's service-account token), services (`*.svc.cluster.local`), Consul, and cloud
  // internal zones (`ip-10-0-0-1.ec2.internal`). A client has no business naming them.
  if (CLUSTER_NAMES.has(host) || CLUSTER_SUFFIXES.some((x) => host.endsWith(x))) return { kind: 'cluster', host };
  for (const n of LOOPBACK_NAMES) if (host === n || host.endsWith('.' + n)) return { kind: 'loopback', host };
  for (const w of WILDCARD_DNS) {
    if (!host.endsWith('.' + w)) continue;
    const label = host.slice(0, -w.length - 1);
    // `127.0.0.1.nip.io`, `app.10.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `7f000001.nip.io`
    const parts = label.split('.');
    const candidates = [parts.slice(-4).join('.'), parts[parts.length - 1].replace(/-/g, '.'), '0x' + parts[parts.length - 1]];
    for (const c of candidates) {
      const ip = parseIPv4(c);
      if (ip !== null && (c.split('.').length === 4 || c.startsWith('0x')) && internalIPv4(ip) !== null) return { kind: 'rebinding', host };
    }
  }
  return null;
}
