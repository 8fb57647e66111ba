/**
 * api-waf configuration, in Kong's schema DSL as JSON (what kong-js-pluginserver reports and Kong validates
 * at Admin API / declarative-load time). No Lua validators can be expressed, so cross-field rules are checked
 * again when an instance starts (see config.ts) and reported through kong.log.
 */
import { ATTACK_TYPES } from '../../lib/types';
import { DISCOVERY_FIELD } from './discovery/schema';
import { OPENAPI_FIELD } from './openapi/schema-fields';
import { RULES_FIELDS } from './rules/schema-fields';

type Field = Record<string, Record<string, unknown>>;

const detectorSetting = (type: string): Field => ({
  [type]: {
    type: 'record',
    description: `Detector settings for ${type}: enable it and set the minimum confidence (0..1) that counts as an attack.`,
    fields: [
      { enabled: { type: 'boolean', required: true, default: true } },
      { threshold: { type: 'number', required: true, default: 0.5, between: [0, 1] } },
    ],
  },
});

const cidrList = (description: string): Record<string, unknown> => ({
  type: 'array',
  description,
  default: [],
  required: true,
  elements: { type: 'string', len_min: 2, len_max: 64 },
});

export const REDIS_FIELDS: Field[] = [
  { host: { type: 'string', required: true, default: '127.0.0.1' } },
  { port: { type: 'integer', required: true, default: 6379, between: [1, 65535] } },
  { password: { type: 'string', referenceable: true, encrypted: true } },
  { database: { type: 'integer', required: true, default: 0, between: [0, 15] } },
  { prefix: { type: 'string', required: true, default: 'kas', len_min: 1, description: 'Key prefix in Redis; api-waf and key-auth-ext share the greylist when prefix and database match.' } },
  { timeout_ms: { type: 'integer', required: true, default: 50, between: [1, 5000] } },
];

export const SCHEMA: Field[] = [
  {
    mode: {
      type: 'string',
      required: true,
      default: 'monitoring',
      one_of: ['off', 'monitoring', 'safe_blocking', 'block'],
      description:
        'off: do nothing. monitoring: detect and report, never block. safe_blocking: block attacks only from greylisted IPs. block: block every attack. Denylisted IPs are refused in every mode but off.',
    },
  },
  { application_id: { type: 'string', len_max: 128, description: 'Application identifier attached to every event.' } },
  {
    fail_mode: {
      type: 'string',
      required: true,
      default: 'open',
      one_of: ['open', 'closed'],
      description:
        'What happens on an internal error or when inspection cannot finish: open lets the request through (and logs it), closed answers 503 with a request id.',
    },
  },
  {
    block_response: {
      type: 'record',
      description: 'The answer sent to blocked requests: a JSON body with the message and the request id.',
      fields: [
        { status: { type: 'integer', required: true, default: 403, between: [400, 599] } },
        { message: { type: 'string', required: true, default: 'Request blocked by api-waf', len_max: 512 } },
        { denylist_status: { type: 'integer', required: true, default: 403, between: [400, 599] } },
      ],
    },
  },
  {
    request_id_header: {
      type: 'string',
      required: true,
      default: 'x-request-id',
      match: '^[%w%-_]+$',
      description: 'Header carrying the correlation id: taken from the request when present, else generated, and returned on blocks.',
    },
  },
  {
    limits: {
      type: 'record',
      description: 'Inspection limits. Input beyond a limit is inspected up to it, then reported or blocked per on_limit.',
      fields: [
        { max_body_bytes: { type: 'integer', required: true, default: 1048576, between: [0, 67108864] } },
        { max_point_bytes: { type: 'integer', required: true, default: 8192, between: [64, 1048576] } },
        { max_points: { type: 'integer', required: true, default: 2048, between: [16, 100000] } },
        { max_depth: { type: 'integer', required: true, default: 64, between: [1, 10000] } },
        { max_decode_depth: { type: 'integer', required: true, default: 3, between: [0, 8] } },
        { time_budget_ms: { type: 'integer', required: true, default: 50, between: [1, 10000] } },
        { on_limit: { type: 'string', required: true, default: 'report', one_of: ['ignore', 'report', 'block'] } },
      ],
    },
  },
  {
    detectors: {
      type: 'record',
      description: 'Per attack type: enabled and confidence threshold.',
      fields: ATTACK_TYPES.map(detectorSetting),
    },
  },
  {
    ip_lists: {
      type: 'record',
      description: 'Static IP lists (CIDR or single address, IPv4 or IPv6); entries pulled from the collector are added to them.',
      fields: [
        { allow: cidrList('Never blocked (still inspected and reported).') },
        { deny: cidrList('Refused in every mode but off.') },
        { grey: cidrList('Attacks from these are blocked in safe_blocking mode.') },
        { sync_from_collector: { type: 'boolean', required: true, default: false } },
        { sync_interval_s: { type: 'integer', required: true, default: 60, between: [5, 3600] } },
      ],
    },
  },
  {
    greylisting: {
      type: 'record',
      description: 'Automatic greylisting: more than threshold distinct malicious payloads from an IP within window_s greylists it for duration_s.',
      fields: [
        { enabled: { type: 'boolean', required: true, default: true } },
        { threshold: { type: 'integer', required: true, default: 3, between: [1, 100000] } },
        { window_s: { type: 'integer', required: true, default: 3600, between: [1, 604800] } },
        { duration_s: { type: 'integer', required: true, default: 3600, between: [1, 2592000] } },
        { policy: { type: 'string', required: true, default: 'local', one_of: ['local', 'redis'] } },
        { redis: { type: 'record', required: true, fields: REDIS_FIELDS } },
      ],
    },
  },
  {
    graphql: {
      type: 'record',
      description: 'GraphQL policy, applied to requests on the listed paths: limits and introspection/debug denial.',
      fields: [
        { paths: { type: 'array', required: true, default: ['/graphql'], elements: { type: 'string', starts_with: '/' } } },
        { max_depth: { type: 'integer', required: true, default: 10, between: [1, 1000] } },
        { max_aliases: { type: 'integer', required: true, default: 20, between: [0, 10000] } },
        { max_batch: { type: 'integer', required: true, default: 10, between: [1, 1000] } },
        { max_query_bytes: { type: 'integer', required: true, default: 16384, between: [16, 1048576] } },
        { deny_introspection: { type: 'boolean', required: true, default: false } },
        { deny_debug: { type: 'boolean', required: true, default: false } },
      ],
    },
  },
  {
    grpc: {
      type: 'record',
      description: 'gRPC decoding: .proto files (absolute paths on the Kong node) used to name fields; without them messages are decoded schema-less.',
      fields: [
        { proto_files: { type: 'array', required: true, default: [], elements: { type: 'string', starts_with: '/' } } },
        { include_dirs: { type: 'array', required: true, default: [], elements: { type: 'string', starts_with: '/' } } },
      ],
    },
  },
  {
    skip: {
      type: 'record',
      description: 'Requests not inspected: path prefixes (a trailing * is a prefix match, otherwise exact) and methods.',
      fields: [
        { paths: { type: 'array', required: true, default: [], elements: { type: 'string', starts_with: '/' } } },
        { methods: { type: 'array', required: true, default: [], elements: { type: 'string', match: '^%u+$' } } },
      ],
    },
  },
  {
    reporting: {
      type: 'record',
      description: 'Where attack events go: the collector URL and node token (use a vault reference such as {vault://env/api-shield-collector-token}).',
      fields: [
        { collector_url: { type: 'string', match: '^https?://' } },
        { token: { type: 'string', referenceable: true, encrypted: true } },
        { node_id: { type: 'string', len_max: 128 } },
        { batch_size: { type: 'integer', required: true, default: 100, between: [1, 1000] } },
        { flush_interval_ms: { type: 'integer', required: true, default: 1000, between: [10, 60000] } },
        { queue_size: { type: 'integer', required: true, default: 10000, between: [10, 1000000] } },
        { spool_dir: { type: 'string', starts_with: '/' } },
        { spool_max_bytes: { type: 'integer', required: true, default: 67108864, between: [0, 10737418240] } },
      ],
    },
  },
  OPENAPI_FIELD,
  DISCOVERY_FIELD as Field,
  ...(RULES_FIELDS as unknown as Field[]),
];
