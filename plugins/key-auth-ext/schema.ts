/**
 * key-auth-ext configuration in Kong's schema DSL, as JSON (kong-js-pluginserver wraps it as the
 * `config` record). Field names follow Kong's bundled key-auth (`kong/plugins/key-auth/schema.lua`)
 * where they overlap. `match` values are Lua patterns (Kong validates with them). Rules the DSL
 * cannot express without Lua (exact hash format, timestamps, CIDRs, env var present) are checked
 * again when an instance starts (config.ts); bad keys are disabled and logged, never crash it.
 */

type Field = Record<string, Record<string, unknown>>;

const REDIS_FIELDS: Field[] = [
  { host: { type: 'string', required: true, default: '127.0.0.1' } },
  { port: { type: 'integer', required: true, default: 6379, between: [1, 65535] } },
  { username: { type: 'string', referenceable: true } },
  { password: { type: 'string', referenceable: true, encrypted: true } },
  { database: { type: 'integer', required: true, default: 0, between: [0, 15] } },
  {
    prefix: {
      type: 'string',
      required: true,
      default: 'kas',
      len_min: 1,
      description: 'Key prefix in Redis; api-waf and key-auth-ext share the greylist when prefix and database match.',
    },
  },
  { timeout_ms: { type: 'integer', required: true, default: 100, between: [1, 5000], description: 'Per-command timeout in milliseconds; on failure the per-process fallback answers.' } },
];

const KEY_FIELDS: Field[] = [
  { id: { type: 'string', required: true, len_min: 1, len_max: 64, description: 'Credential identifier, sent upstream as X-Credential-Identifier and shown in events.' } },
  { consumer: { type: 'string', required: true, len_min: 1, description: 'Consumer id (UUID) or username owning this key.' } },
  {
    hash: {
      type: 'string',
      required: true,
      match: '^[%w%-]+:%x+$',
      description: 'Hash of the key: sha256:<64 hex> or hmac-sha256:<64 hex> (HMAC with the pepper from pepper_env). Generate with npm run keygen.',
    },
  },
  { not_before: { type: 'string', description: 'The key is not valid before this instant: ISO 8601 (e.g. 2026-01-01T00:00:00Z) or epoch seconds as a string.' } },
  { expires_at: { type: 'string', description: 'The key is rejected with code KEY_EXPIRED from this instant on: ISO 8601 or epoch seconds as a string.' } },
  { scopes: { type: 'set', required: true, default: [], elements: { type: 'string', len_min: 1 } } },
  {
    allowed_cidrs: {
      type: 'array',
      elements: { type: 'string', len_min: 2, len_max: 64 },
      description: 'When set, the key is only accepted from client IPs in these CIDRs (IPv4 or IPv6); others get 403.',
    },
  },
];

export const SCHEMA: Field[] = [
  {
    key_names: {
      type: 'array',
      required: true,
      default: ['apikey'],
      elements: { type: 'string', match: '^[%w_%-]+$', len_min: 1, len_max: 64 },
      description: 'Names of the header, query argument, body field or cookie holding the key. Only letters, digits, underscore and hyphen.',
    },
  },
  { key_in_header: { type: 'boolean', required: true, default: true, description: 'Look for the key in request headers.' } },
  { key_in_query: { type: 'boolean', required: true, default: true, description: 'Look for the key in query arguments.' } },
  { key_in_body: { type: 'boolean', required: true, default: false, description: 'Look for the key in the body (application/x-www-form-urlencoded or JSON).' } },
  { key_in_cookie: { type: 'boolean', required: true, default: false, description: 'Look for the key in the Cookie header.' } },
  { hide_credentials: { type: 'boolean', required: true, default: false, description: 'Remove the key from the request before it is proxied upstream.' } },
  {
    anonymous: {
      type: 'string',
      description: 'Consumer id or username to authenticate as when authentication fails with 401 (logical OR with other auth plugins).',
    },
  },
  { run_on_preflight: { type: 'boolean', required: true, default: true, description: 'Authenticate OPTIONS requests too; when false they always pass.' } },
  { realm: { type: 'string', description: 'Realm in the WWW-Authenticate header of 401 answers (Key realm="<realm>").' } },
  {
    keys: {
      type: 'array',
      required: true,
      default: [],
      elements: { type: 'record', fields: KEY_FIELDS },
      description: 'The API keys, stored as hashes only. Two keys of one consumer may overlap in time for rotation.',
    },
  },
  {
    pepper_env: {
      type: 'string',
      match: '^[%a_][%w_]*$',
      description: 'Name of the environment variable holding the HMAC pepper for hmac-sha256 keys (read by the plugin server).',
    },
  },
  { required_scopes: { type: 'set', required: true, default: [], elements: { type: 'string', len_min: 1 }, description: 'Every one of these scopes must be granted to the key (403 otherwise).' } },
  { consumer_cache_ttl: { type: 'integer', required: true, default: 60, between: [0, 86400], description: 'Seconds a loaded consumer is cached in the plugin server (0 = load on every request).' } },
  { max_failures: { type: 'integer', required: true, default: 10, between: [0, 1000000], description: 'Invalid keys from one client IP within window that trigger the lockout (0 disables lockout).' } },
  { window: { type: 'integer', required: true, default: 60, between: [1, 86400], description: 'Length in seconds of the window in which invalid keys are counted.' } },
  { window_type: { type: 'string', required: true, default: 'sliding', one_of: ['fixed', 'sliding'], description: 'fixed: aligned windows; sliding: weighted two-window estimate (no double burst at window edges).' } },
  { lockout: { type: 'integer', required: true, default: 300, between: [1, 604800], description: 'Seconds a locked-out client IP is answered 429 with Retry-After.' } },
  { policy: { type: 'string', required: true, default: 'local', one_of: ['local', 'redis'], description: 'Where failure counters and lockouts live: local (per plugin server process) or redis (shared by all nodes).' } },
  { redis: { type: 'record', required: true, fields: REDIS_FIELDS } },
  { greylist_on_lockout: { type: 'boolean', required: true, default: false, description: 'Also put a locked-out IP on the shared greylist (Redis) that api-waf reads.' } },
  { greylist_duration: { type: 'integer', required: true, default: 3600, between: [1, 2592000], description: 'Seconds an IP stays on the greylist after a lockout.' } },
  { collector_url: { type: 'string', description: 'Base URL of the kong-api-shield collector; failed-auth events are sent there. Unset = no reporting.' } },
  { collector_token: { type: 'string', referenceable: true, encrypted: true, description: 'Bearer token of this node at the collector (may be a vault reference).' } },
  { application_id: { type: 'string', len_max: 128, description: 'Application identifier attached to every reported event.' } },
  { spool_dir: { type: 'string', description: 'Directory for the disk spool of undelivered events (survives restarts). Unset = memory only.' } },
  { report_failures: { type: 'boolean', required: true, default: true, description: 'Report invalid keys, lockouts and policy denials to the collector.' } },
];
