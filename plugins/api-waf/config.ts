/**
 * The instance config, normalized once at instance start (never per request): Kong-filled config →
 * typed settings, CIDR sets and matchers. Problems Kong's schema cannot express (an unparsable CIDR,
 * a proto file that does not load) are collected as warnings and logged; they never make the
 * constructor throw, because a failed StartInstance is an HTTP 500 for every request on the route.
 */
import type { AttackType, DetectorSetting, Limits } from '../../lib/types';
import { ATTACK_TYPES } from '../../lib/types';
import { fillDefaults } from '../common/config-defaults';
import { CidrSet } from '../common/net';
import { SCHEMA } from './schema';

export type Mode = 'off' | 'monitoring' | 'safe_blocking' | 'block';
export type OnLimit = 'ignore' | 'report' | 'block';

export interface RedisSettings {
  host: string;
  port: number;
  password?: string;
  database: number;
  prefix: string;
  timeoutMs: number;
}

export interface WafConfig {
  mode: Mode;
  applicationId: string | null;
  failMode: 'open' | 'closed';
  block: { status: number; message: string; denylistStatus: number };
  requestIdHeader: string;
  limits: Limits;
  onLimit: OnLimit;
  detectors: Partial<Record<AttackType, DetectorSetting>>;
  allow: CidrSet;
  deny: CidrSet;
  grey: CidrSet;
  syncFromCollector: boolean;
  syncIntervalS: number;
  greylisting: { enabled: boolean; threshold: number; windowS: number; durationS: number; policy: 'local' | 'redis'; redis: RedisSettings };
  graphql: { paths: string[]; maxDepth: number; maxAliases: number; maxBatch: number; maxQueryBytes: number; denyIntrospection: boolean; denyDebug: boolean };
  grpc: { protoFiles: string[]; includeDirs: string[] };
  skip: { exact: Set<string>; prefixes: string[]; methods: Set<string> };
  reporting: {
    collectorUrl: string | null;
    token: string | null;
    nodeId: string | null;
    batchSize: number;
    flushIntervalMs: number;
    queueSize: number;
    spoolDir: string | null;
    spoolMaxBytes: number;
  };
  /** Kong's keys for the plugin entity (present when Kong scoped the plugin). */
  routeId: string | null;
  serviceId: string | null;
  pluginId: string | null;
}

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parseConfig(input: unknown): { config: WafConfig; warnings: string[] } {
  const raw = fillDefaults(SCHEMA as never, input);
  const warnings: string[] = [];
  const block = rec(raw.block_response);
  const limits = rec(raw.limits);
  const lists = rec(raw.ip_lists);
  const grey = rec(raw.greylisting);
  const redis = rec(grey.redis);
  const gql = rec(raw.graphql);
  const grpc = rec(raw.grpc);
  const skip = rec(raw.skip);
  const rep = rec(raw.reporting);
  const detectorsRaw = rec(raw.detectors);

  const cidrs = (name: string): CidrSet => {
    const set = new CidrSet(strings(lists[name]));
    for (const bad of set.invalid) warnings.push(`ip_lists.${name}: "${bad}" is not an IP address or CIDR; ignored`);
    return set;
  };

  const detectors: Partial<Record<AttackType, DetectorSetting>> = {};
  for (const type of ATTACK_TYPES) {
    const d = rec(detectorsRaw[type]);
    detectors[type] = { enabled: d.enabled !== false, threshold: num(d.threshold, 0.5) };
  }

  const skipPaths = strings(skip.paths);
  const mode = (['off', 'monitoring', 'safe_blocking', 'block'] as const).find((m) => m === raw.mode) ?? 'monitoring';
  if (mode !== raw.mode) warnings.push(`mode: "${String(raw.mode)}" is not a mode; using monitoring`);

  const config: WafConfig = {
    mode,
    applicationId: str(raw.application_id),
    failMode: raw.fail_mode === 'closed' ? 'closed' : 'open',
    block: {
      status: num(block.status, 403),
      message: str(block.message) ?? 'Request blocked by api-waf',
      denylistStatus: num(block.denylist_status, 403),
    },
    requestIdHeader: (str(raw.request_id_header) ?? 'x-request-id').toLowerCase(),
    limits: {
      maxBodyBytes: num(limits.max_body_bytes, 1048576),
      maxPointBytes: num(limits.max_point_bytes, 8192),
      maxPoints: num(limits.max_points, 2048),
      maxDepth: num(limits.max_depth, 64),
      maxDecodeDepth: num(limits.max_decode_depth, 3),
      timeBudgetMs: num(limits.time_budget_ms, 50),
    },
    onLimit: limits.on_limit === 'ignore' || limits.on_limit === 'block' ? limits.on_limit : 'report',
    detectors,
    allow: cidrs('allow'),
    deny: cidrs('deny'),
    grey: cidrs('grey'),
    syncFromCollector: lists.sync_from_collector === true,
    syncIntervalS: num(lists.sync_interval_s, 60),
    greylisting: {
      enabled: grey.enabled !== false,
      threshold: num(grey.threshold, 3),
      windowS: num(grey.window_s, 3600),
      durationS: num(grey.duration_s, 3600),
      policy: grey.policy === 'redis' ? 'redis' : 'local',
      redis: {
        host: str(redis.host) ?? '127.0.0.1',
        port: num(redis.port, 6379),
        password: str(redis.password) ?? undefined,
        database: num(redis.database, 0),
        prefix: str(redis.prefix) ?? 'kas',
        timeoutMs: num(redis.timeout_ms, 50),
      },
    },
    graphql: {
      paths: strings(gql.paths),
      maxDepth: num(gql.max_depth, 10),
      maxAliases: num(gql.max_aliases, 20),
      maxBatch: num(gql.max_batch, 10),
      maxQueryBytes: num(gql.max_query_bytes, 16384),
      denyIntrospection: gql.deny_introspection === true,
      denyDebug: gql.deny_debug === true,
    },
    grpc: { protoFiles: strings(grpc.proto_files), includeDirs: strings(grpc.include_dirs) },
    skip: {
      exact: new Set(skipPaths.filter((p) => !p.endsWith('*'))),
      prefixes: skipPaths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1)),
      methods: new Set(strings(skip.methods).map((m) => m.toUpperCase())),
    },
    reporting: {
      collectorUrl: str(rep.collector_url),
      token: str(rep.token),
      nodeId: str(rep.node_id),
      batchSize: num(rep.batch_size, 100),
      flushIntervalMs: num(rep.flush_interval_ms, 1000),
      queueSize: num(rep.queue_size, 10000),
      spoolDir: str(rep.spool_dir) ?? str(process.env.API_SHIELD_SPOOL_DIR),
      spoolMaxBytes: num(rep.spool_max_bytes, 67108864),
    },
    routeId: str(raw.route_id),
    serviceId: str(raw.service_id),
    pluginId: str(raw.__plugin_id),
  };
  if (config.reporting.collectorUrl && !config.reporting.token) warnings.push('reporting.collector_url is set but reporting.token is empty: the collector will refuse events');
  return { config, warnings };
}

/** Whether this request is exempt from inspection by the skip lists. */
export function isSkipped(config: WafConfig, method: string, path: string): boolean {
  if (config.skip.methods.has(method)) return true;
  if (config.skip.exact.has(path)) return true;
  for (const prefix of config.skip.prefixes) if (path.startsWith(prefix)) return true;
  return false;
}
