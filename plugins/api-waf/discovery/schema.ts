/**
 * The `discovery` record of api-waf's config (Kong schema DSL as JSON) and its normalization. The lead adds
 * DISCOVERY_FIELD to plugins/api-waf/schema.ts; parseDiscovery() takes the Kong-filled record.
 */
import { fillDefaults, type FieldDef } from '../../common/config-defaults';

export const DISCOVERY_FIELDS: FieldDef[] = [
  { enabled: { type: 'boolean', required: true, default: false } },
  { flush_interval_s: { type: 'integer', required: true, default: 30, between: [1, 3600] } },
  { max_endpoints: { type: 'integer', required: true, default: 2000, between: [1, 100000] } },
  { max_params_per_endpoint: { type: 'integer', required: true, default: 100, between: [1, 1000] } },
  { max_body_bytes: { type: 'integer', required: true, default: 65536, between: [0, 1048576] } },
  { sample_rate: { type: 'number', required: true, default: 1, between: [0, 1] } },
  { include_attacks: { type: 'boolean', required: true, default: false } },
];

export const DISCOVERY_FIELD: FieldDef = {
  discovery: {
    type: 'record',
    description:
      'API discovery: learn endpoints (method + path template) and parameters (types, formats, sensitive-data flags) from traffic and send the inventory to the collector (reporting.collector_url) every flush_interval_s. No parameter value leaves the node.',
    fields: DISCOVERY_FIELDS,
  },
};

export interface DiscoverySettings {
  enabled: boolean;
  flushIntervalMs: number;
  maxEndpoints: number;
  maxParamsPerEndpoint: number;
  maxBodyBytes: number;
  sampleRate: number;
  includeAttacks: boolean;
}

const num = (v: unknown, d: number, lo: number, hi: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : d);

export function parseDiscovery(raw: unknown): DiscoverySettings {
  const r = fillDefaults(DISCOVERY_FIELDS, raw);
  return {
    enabled: r.enabled === true,
    flushIntervalMs: num(r.flush_interval_s, 30, 1, 3600) * 1000,
    maxEndpoints: Math.floor(num(r.max_endpoints, 2000, 1, 100000)),
    maxParamsPerEndpoint: Math.floor(num(r.max_params_per_endpoint, 100, 1, 1000)),
    maxBodyBytes: Math.floor(num(r.max_body_bytes, 65536, 0, 1048576)),
    sampleRate: num(r.sample_rate, 1, 0, 1),
    includeAttacks: r.include_attacks === true,
  };
}
