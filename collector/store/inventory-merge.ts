/**
 * Fleet-wide merge of inventory deltas, shared by both backends (they load rows, merge here, write back in
 * the same transaction): counts summed, first/last seen min/max, histograms summed, sensitive flags OR-ed,
 * distinct counts max-ed (each node counts its own distinct values: the fleet has at least the largest).
 */
import type { EndpointRecord, Histogram, InventoryEndpointInput, InventoryParamInput, ParamRecord } from './inventory-types';

export const SENSITIVE_BITS: Record<string, number> = { email: 1, card: 2, iban: 4, jwt: 8, bearer: 16, password: 32 };
const MAX_HOSTS = 16;
/** Histogram keys kept per column (the contract allows 64 per batch; a merged one stays bounded too). */
const MAX_KEYS = 64;

export function flags(kinds: readonly string[] | undefined): number {
  let f = 0;
  for (const k of kinds ?? []) f |= SENSITIVE_BITS[k] ?? 0;
  return f;
}

export function kinds(bits: number): string[] {
  return Object.keys(SENSITIVE_BITS).filter((k) => (bits & SENSITIVE_BITS[k]) !== 0);
}

export function mergeHistogram(a: Histogram, b: Histogram | undefined): Histogram {
  const out: Histogram = { ...a };
  for (const [k, n] of Object.entries(b ?? {})) {
    if (k === '__proto__') continue;
    if (Object.prototype.hasOwnProperty.call(out, k)) out[k] += n;
    else if (Object.keys(out).length < MAX_KEYS) out[k] = n;
  }
  return out;
}

const ms = (iso: string | undefined, fallback: number): number => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
};

export function keyOf(e: { service_id?: string | null; route_id?: string | null; method: string; template: string }): string {
  return JSON.stringify([e.service_id ?? '', e.route_id ?? '', e.method.toUpperCase(), e.template]);
}

/** `row` is null for a new endpoint. */
export function mergeEndpoint(row: EndpointRecord | null, e: InventoryEndpointInput, id: number): EndpointRecord {
  const first = ms(e.first_seen, Date.now());
  const last = ms(e.last_seen, first);
  const hosts = [...(row?.hosts ?? [])];
  for (const h of e.hosts ?? []) if (hosts.length < MAX_HOSTS && !hosts.includes(h)) hosts.push(h);
  let sensitive = row?.sensitive ?? 0;
  for (const p of e.params) sensitive |= flags(p.sensitive);
  return {
    id,
    service_id: e.service_id ?? '',
    route_id: e.route_id ?? '',
    method: e.method.toUpperCase(),
    template: e.template,
    count: (row?.count ?? 0) + e.count,
    first_seen: row ? Math.min(row.first_seen, first) : first,
    last_seen: row ? Math.max(row.last_seen, last) : last,
    hosts,
    content_types: mergeHistogram(row?.content_types ?? {}, e.content_types),
    statuses: mergeHistogram(row?.statuses ?? {}, e.statuses),
    sensitive,
    params_capped: (row?.params_capped ?? 0) + (e.params_capped ?? 0),
  };
}

export function mergeParam(row: ParamRecord | undefined, p: InventoryParamInput, endpoint: EndpointRecord, batchFirst: number, batchLast: number): ParamRecord {
  const first = ms(p.first_seen, batchFirst);
  const last = ms(p.last_seen, batchLast);
  return {
    endpoint_id: endpoint.id,
    location: p.in,
    name: p.name,
    count: (row?.count ?? 0) + p.count,
    first_seen: row ? Math.min(row.first_seen, first) : first,
    last_seen: row ? Math.max(row.last_seen, last) : last,
    types: mergeHistogram(row?.types ?? {}, p.types),
    formats: mergeHistogram(row?.formats ?? {}, p.formats),
    sensitive: (row?.sensitive ?? 0) | flags(p.sensitive),
    distinct_values: Math.max(row?.distinct_values ?? 0, p.distinct ?? 0),
    distinct_capped: (row?.distinct_capped ?? false) || (p.distinct_capped ?? false),
  };
}

/** The same parameter twice in one endpoint of one batch (a buggy node) is merged before storing. */
export function dedupeParams(params: readonly InventoryParamInput[]): InventoryParamInput[] {
  const byKey = new Map<string, InventoryParamInput>();
  for (const p of params) {
    const key = `${p.in}\u0001${p.name}`;
    const q = byKey.get(key);
    if (!q) {
      byKey.set(key, { ...p });
      continue;
    }
    q.count += p.count;
    q.types = mergeHistogram(q.types, p.types);
    q.formats = mergeHistogram(q.formats ?? {}, p.formats);
    q.sensitive = [...new Set([...(q.sensitive ?? []), ...(p.sensitive ?? [])])];
    q.distinct = Math.max(q.distinct ?? 0, p.distinct ?? 0);
    q.distinct_capped = (q.distinct_capped ?? false) || (p.distinct_capped ?? false);
    if (p.first_seen && (!q.first_seen || p.first_seen < q.first_seen)) q.first_seen = p.first_seen;
    if (p.last_seen && (!q.last_seen || p.last_seen > q.last_seen)) q.last_seen = p.last_seen;
  }
  return [...byKey.values()];
}

/** Endpoints of one batch grouped by key (duplicates merged), sorted by key so concurrent writers lock in one order. */
export function groupEndpoints(endpoints: readonly InventoryEndpointInput[]): Array<[string, InventoryEndpointInput]> {
  const byKey = new Map<string, InventoryEndpointInput>();
  for (const e of endpoints) {
    const key = keyOf(e);
    const q = byKey.get(key);
    if (!q) {
      byKey.set(key, { ...e, params: dedupeParams(e.params) });
      continue;
    }
    q.count += e.count;
    if (e.first_seen < q.first_seen) q.first_seen = e.first_seen;
    if (e.last_seen > q.last_seen) q.last_seen = e.last_seen;
    q.params = dedupeParams([...q.params, ...e.params]);
    q.content_types = mergeHistogram(q.content_types ?? {}, e.content_types);
    q.statuses = mergeHistogram(q.statuses ?? {}, e.statuses);
    q.hosts = [...new Set([...(q.hosts ?? []), ...(e.hosts ?? [])])].slice(0, MAX_HOSTS);
    q.params_capped = (q.params_capped ?? 0) + (e.params_capped ?? 0);
  }
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
