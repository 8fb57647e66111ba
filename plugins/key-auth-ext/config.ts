/**
 * Turns the config Kong sends (schema defaults filled, unset fields null, plus Kong's extra keys)
 * into typed settings and the key index, once per instance. Problems the schema cannot catch (bad
 * hash, bad timestamp, bad CIDR, missing pepper) disable the affected key and are kept as
 * `warnings`, logged on the first request: the constructor never throws, because a failed
 * StartInstance would turn every request on the route into HTTP 500.
 */
import { fillDefaults } from '../common/config-defaults';
import { CidrSet } from '../common/net';
import type { KongInstanceKeys } from '../common/pdk';
import { KeyIndex, parseInstant, parseKeyHash, type KeyEntry } from './keys';
import { SCHEMA } from './schema';

export interface RawKey {
  id?: unknown;
  consumer?: unknown;
  hash?: unknown;
  not_before?: unknown;
  expires_at?: unknown;
  scopes?: unknown;
  allowed_cidrs?: unknown;
}

export interface KeyAuthSettings {
  keyNames: string[];
  keyInHeader: boolean;
  keyInQuery: boolean;
  keyInBody: boolean;
  keyInCookie: boolean;
  hideCredentials: boolean;
  anonymous: string | null;
  runOnPreflight: boolean;
  realm: string | null;
  keys: KeyIndex;
  requiredScopes: string[];
  consumerCacheTtlMs: number;
  lockout: {
    enabled: boolean;
    maxFailures: number;
    windowS: number;
    windowType: 'fixed' | 'sliding';
    lockoutS: number;
  };
  policy: 'local' | 'redis';
  redis: { host: string; port: number; username?: string; password?: string; database: number; prefix: string; timeoutMs: number };
  greylist: { enabled: boolean; durationS: number };
  reporting: {
    collectorUrl: string | null;
    collectorToken: string | null;
    applicationId: string | null;
    spoolDir: string | null;
    reportFailures: boolean;
  };
  /** Counter namespace: the plugin entity id (stable across config changes). */
  scopeId: string;
  routeId: string | null;
  serviceId: string | null;
  warnings: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const bool = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);
const int = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : d);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);

export function buildKeyEntries(rawKeys: unknown, pepper: string | undefined, warnings: string[]): KeyEntry[] {
  const out: KeyEntry[] = [];
  const list = Array.isArray(rawKeys) ? (rawKeys as RawKey[]) : [];
  list.forEach((raw, i) => {
    const label = `keys[${i}]${typeof raw?.id === 'string' ? ` (${raw.id})` : ''}`;
    if (!raw || typeof raw !== 'object') return warnings.push(`${label}: not a record; key disabled`);
    const id = str(raw.id);
    const consumer = str(raw.consumer);
    if (!id || !consumer) return warnings.push(`${label}: id and consumer are required; key disabled`);
    const parsed = parseKeyHash(String(raw.hash ?? ''));
    if (!parsed) return warnings.push(`${label}: hash must be sha256:<64 hex> or hmac-sha256:<64 hex>; key disabled`);
    if (parsed.algorithm === 'hmac-sha256' && !pepper) {
      return warnings.push(`${label}: hmac-sha256 key but no pepper (pepper_env unset or its variable empty); key disabled`);
    }
    let notBefore: number | undefined;
    let expiresAt: number | undefined;
    if (raw.not_before !== null && raw.not_before !== undefined) {
      notBefore = parseInstant(raw.not_before);
      if (notBefore === undefined) return warnings.push(`${label}: not_before is not ISO 8601 or epoch seconds; key disabled`);
    }
    if (raw.expires_at !== null && raw.expires_at !== undefined) {
      expiresAt = parseInstant(raw.expires_at);
      if (expiresAt === undefined) return warnings.push(`${label}: expires_at is not ISO 8601 or epoch seconds; key disabled`);
    }
    let allowedCidrs: CidrSet | undefined;
    if (Array.isArray(raw.allowed_cidrs)) {
      allowedCidrs = new CidrSet(strings(raw.allowed_cidrs));
      if (allowedCidrs.invalid.length > 0) {
        // Fail closed for this key: an entry we cannot parse must not widen access.
        warnings.push(`${label}: invalid allowed_cidrs entries ignored: ${allowedCidrs.invalid.join(', ')}`);
      }
    }
    out.push({ id, consumer, algorithm: parsed.algorithm, digest: parsed.digest, notBefore, expiresAt, scopes: new Set(strings(raw.scopes)), allowedCidrs });
  });
  return out;
}

export function buildSettings(rawConfig: unknown, env: NodeJS.ProcessEnv = process.env): KeyAuthSettings {
  const c = fillDefaults(SCHEMA, rawConfig) as Record<string, unknown> & KongInstanceKeys;
  const warnings: string[] = [];
  const pepperEnv = str(c.pepper_env);
  const pepper = pepperEnv ? str(env[pepperEnv]) ?? undefined : undefined;
  if (pepperEnv && !pepper) warnings.push(`pepper_env ${pepperEnv} is not set in the plugin server environment`);
  const entries = buildKeyEntries(c.keys, pepper, warnings);
  const redis = (c.redis ?? {}) as Record<string, unknown>;
  const keyNames = strings(c.key_names);
  if (keyNames.length === 0) warnings.push('key_names is empty: no key can be found');
  const maxFailures = Math.max(0, int(c.max_failures, 10));
  const policy = c.policy === 'redis' ? 'redis' : 'local';
  const greylistEnabled = bool(c.greylist_on_lockout, false);
  if (greylistEnabled && policy !== 'redis') {
    warnings.push('greylist_on_lockout with policy local: the greylist is only visible inside this plugin server (api-waf cannot see it)');
  }
  return {
    keyNames,
    keyInHeader: bool(c.key_in_header, true),
    keyInQuery: bool(c.key_in_query, true),
    keyInBody: bool(c.key_in_body, false),
    keyInCookie: bool(c.key_in_cookie, false),
    hideCredentials: bool(c.hide_credentials, false),
    anonymous: str(c.anonymous),
    runOnPreflight: bool(c.run_on_preflight, true),
    realm: str(c.realm),
    keys: new KeyIndex(entries, pepper),
    requiredScopes: strings(c.required_scopes),
    consumerCacheTtlMs: Math.max(0, int(c.consumer_cache_ttl, 60)) * 1000,
    lockout: {
      enabled: maxFailures > 0,
      maxFailures,
      windowS: Math.max(1, int(c.window, 60)),
      windowType: c.window_type === 'fixed' ? 'fixed' : 'sliding',
      lockoutS: Math.max(1, int(c.lockout, 300)),
    },
    policy,
    redis: {
      host: str(redis.host) ?? '127.0.0.1',
      port: int(redis.port, 6379),
      username: str(redis.username) ?? undefined,
      password: str(redis.password) ?? undefined,
      database: int(redis.database, 0),
      prefix: str(redis.prefix) ?? 'kas',
      timeoutMs: int(redis.timeout_ms, 100),
    },
    greylist: { enabled: greylistEnabled, durationS: Math.max(1, int(c.greylist_duration, 3600)) },
    reporting: {
      collectorUrl: str(c.collector_url),
      collectorToken: str(c.collector_token),
      applicationId: str(c.application_id),
      spoolDir: str(c.spool_dir),
      reportFailures: bool(c.report_failures, true),
    },
    scopeId: str(c.__plugin_id) ?? str(c.__key__) ?? 'global',
    routeId: str(c.route_id),
    serviceId: str(c.service_id),
    warnings,
  };
}
