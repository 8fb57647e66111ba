/**
 * Shared ioredis clients (one per connection settings per process) with our Lua scripts defined.
 * Configured so a request never waits on a broken Redis:
 * - `commandTimeout`: every command (also one queued while the first connection is being made)
 *   rejects after `timeoutMs` (default 100 ms);
 * - the stores add a circuit breaker (`isRedisUsable`): while the client is reconnecting after a
 *   failure, commands are not sent at all and the caller uses its fallback at once;
 * - `maxRetriesPerRequest: 0`: a failed command is not retried inside the request;
 * - reconnects happen in the background (backoff capped at 2 s); an `error` listener is attached
 *   so connection errors never become uncaught exceptions.
 */
import Redis from 'ioredis';

export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: number;
  /** Per-command timeout in ms. Default 100. */
  timeoutMs?: number;
  /** Connect timeout in ms. Default 1000. */
  connectTimeoutMs?: number;
}

/** HIT: KEYS cur, prev, ban; ARGV windowMs, elapsedMs, sliding(0|1), limit(0=none), banMs, reason. */
const HIT_SCRIPT = `
local cur = redis.call('INCR', KEYS[1])
if cur == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2) end
local count = cur
if ARGV[3] == '1' then
  local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
  local w = tonumber(ARGV[1])
  count = cur + prev * (w - tonumber(ARGV[2])) / w
end
local limit = tonumber(ARGV[4])
if limit > 0 and count >= limit then
  redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[5])
  redis.call('DEL', KEYS[1], KEYS[2])
  return {tostring(count), 1}
end
return {tostring(count), 0}
`;

/** DISTINCT: KEYS zset, ban; ARGV nowMs, windowMs, itemHash, maxItems, limit, banMs, reason. */
const DISTINCT_SCRIPT = `
local now = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - w)
redis.call('ZADD', KEYS[1], now, ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
local maxItems = tonumber(ARGV[4])
if n > maxItems then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - maxItems - 1)
  n = maxItems
end
redis.call('PEXPIRE', KEYS[1], w)
local limit = tonumber(ARGV[5])
if limit > 0 and n >= limit then
  redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[6])
  redis.call('DEL', KEYS[1])
  return {n, 1}
end
return {n, 0}
`;

/** BANNED: KEYS ban → {pttl, reason|false}. */
const BANNED_SCRIPT = `
return {redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1])}
`;

export type ScriptedRedis = Redis & {
  kasHit(...args: (string | number)[]): Promise<[string, number]>;
  kasDistinct(...args: (string | number)[]): Promise<[number, number]>;
  kasBanned(key: string): Promise<[number, string | null | false]>;
};

const clients = new Map<string, ScriptedRedis>();

export function getRedisClient(opts: RedisConnectionOptions): ScriptedRedis {
  const id = JSON.stringify([opts.host ?? '127.0.0.1', opts.port ?? 6379, opts.database ?? 0, opts.username ?? '', opts.password ?? '', opts.timeoutMs ?? 100]);
  const existing = clients.get(id);
  if (existing) return existing;
  const client = new Redis({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 6379,
    username: opts.username || undefined,
    password: opts.password || undefined,
    db: opts.database ?? 0,
    commandTimeout: opts.timeoutMs ?? 100,
    connectTimeout: opts.connectTimeoutMs ?? 1000,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    lazyConnect: false,
  }) as ScriptedRedis;
  client.on('error', () => {
    /* surfaced through failing commands; the listener prevents an uncaught 'error' event */
    broken.add(client);
  });
  client.on('close', () => broken.add(client));
  client.on('ready', () => broken.delete(client));
  client.defineCommand('kasHit', { numberOfKeys: 3, lua: HIT_SCRIPT });
  client.defineCommand('kasDistinct', { numberOfKeys: 2, lua: DISTINCT_SCRIPT });
  client.defineCommand('kasBanned', { numberOfKeys: 1, lua: BANNED_SCRIPT });
  clients.set(id, client);
  return client;
}

/**
 * True when a command may be sent: connected, or still making the FIRST connection (the command
 * then waits in the offline queue at most `timeoutMs`). False while reconnecting after a failure,
 * so an outage costs nothing per request.
 */
export function isRedisUsable(client: Redis): boolean {
  const s = client.status;
  if (s === 'ready') return true;
  return !broken.has(client) && (s === 'connecting' || s === 'connect' || s === 'wait');
}

/** Clients that lost (or never got) their connection and have not been ready since. */
const broken = new WeakSet<Redis>();

/** Disconnects every shared client (tests, clean shutdown). */
export async function closeRedisClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
}
