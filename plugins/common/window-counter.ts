/**
 * Windowed counters, distinct-item counters and temporary bans, with two backends:
 *
 * - `LocalWindowStore`: in-process, every map capped (BoundedTtlMap), so memory is bounded whatever
 *   clients send. Counts are per pluginserver process.
 * - `RedisWindowStore`: shared across pluginserver processes and Kong nodes. Every operation is ONE
 *   Lua script (atomic: no lost updates between nodes) on namespaced keys that always carry a TTL.
 *   The client is built never to hang a request: no offline queue (commands fail at once while
 *   disconnected), a short `commandTimeout`, no per-request retries. When a command fails, the
 *   operation is answered by the LOCAL fallback store (documented "degrade to per-process" policy)
 *   and an error callback is told (rate-limited by the caller if it logs).
 *
 * Redis keyspace (prefix default "kas", configurable; all plugins that share state must use the
 * same prefix): see `keyspace.ts`.
 *
 * Algorithms: `fixed` counts events in the current aligned window; `sliding` uses the two-bucket
 * approximation count = current + previous × (time left in the window ÷ window), which stops the
 * 2× burst a fixed window allows across a boundary. With no previous bucket both are exact.
 */
import { createHash } from 'node:crypto';
import { BoundedTtlMap } from './lru';
import { keys } from './keyspace';
import { getRedisClient, isRedisUsable, type RedisConnectionOptions, type ScriptedRedis } from './redis';

export type WindowAlgorithm = 'fixed' | 'sliding';

export interface BanSpec {
  /** Ban id (namespaced by caller), e.g. "lockout:<plugin>:<ip>" or greylist key. */
  key: string;
  seconds: number;
  reason: string;
}

export interface HitOptions {
  windowSeconds: number;
  algorithm?: WindowAlgorithm;
  /** When the count reaches `limit`, set `ban` and reset the counter, atomically. */
  limit?: number;
  ban?: BanSpec;
}

export interface HitResult {
  /** Count after this hit (may be fractional with `sliding`). */
  count: number;
  /** This hit reached the limit and set the ban. */
  bannedNow: boolean;
  /** Which backend answered (a Redis store answers 'local' while Redis is failing). */
  backend: 'local' | 'redis';
}

export interface Ban {
  /** Milliseconds left. */
  remainingMs: number;
  reason: string;
}

export interface WindowStore {
  readonly kind: 'local' | 'redis';
  hit(key: string, opts: HitOptions): Promise<HitResult>;
  /** Current count without recording. */
  count(key: string, windowSeconds: number, algorithm?: WindowAlgorithm): Promise<number>;
  resetCount(key: string, windowSeconds: number): Promise<void>;
  /**
   * Adds `item` (hashed; any length) to the distinct set of `key`, keeping items seen in the last
   * `windowSeconds`; returns how many distinct items the window holds. With `limit`/`ban`, reaching
   * the limit sets the ban and clears the set atomically.
   */
  addDistinct(key: string, item: string, opts: HitOptions): Promise<HitResult>;
  ban(spec: BanSpec): Promise<void>;
  banned(banKey: string): Promise<Ban | undefined>;
  unban(banKey: string): Promise<void>;
  close(): Promise<void>;
  /**
   * A description of backend failures since the last call, at most once per 10 s (so a handler
   * can `kong.log.warn` it without flooding the log), else undefined.
   */
  takeError(): string | undefined;
}

export interface LocalStoreOptions {
  /** Cap for each of the counter, distinct and ban maps. Default 100 000 entries. */
  maxEntries?: number;
  /** Cap of distinct items remembered per key (oldest dropped). Default 256. */
  maxDistinctPerKey?: number;
  clock?: () => number;
}

function itemHash(item: string): string {
  return createHash('sha256').update(item).digest('hex').slice(0, 24);
}

function bucketOf(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs);
}

interface LocalCounter {
  bucket: number;
  current: number;
  previous: number;
}

export class LocalWindowStore implements WindowStore {
  readonly kind = 'local' as const;
  private readonly counters: BoundedTtlMap<string, LocalCounter>;
  private readonly distinct: BoundedTtlMap<string, Map<string, number>>;
  private readonly bans: BoundedTtlMap<string, string>;
  private readonly maxDistinctPerKey: number;
  private readonly clock: () => number;

  constructor(opts: LocalStoreOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    const max = opts.maxEntries ?? 100_000;
    this.counters = new BoundedTtlMap(max, this.clock);
    this.distinct = new BoundedTtlMap(max, this.clock);
    this.bans = new BoundedTtlMap(max, this.clock);
    this.maxDistinctPerKey = opts.maxDistinctPerKey ?? 256;
  }

  /** Entry counts of the three maps and their cap (diagnostics: memory stays bounded). */
  sizes(): { counters: number; distinct: number; bans: number; maxEntries: number } {
    return { counters: this.counters.size, distinct: this.distinct.size, bans: this.bans.size, maxEntries: this.counters.maxEntries };
  }

  private rolled(key: string, windowMs: number, now: number): LocalCounter {
    const bucket = bucketOf(now, windowMs);
    const c = this.counters.get(key);
    if (!c) return { bucket, current: 0, previous: 0 };
    if (c.bucket === bucket) return c;
    return { bucket, current: 0, previous: c.bucket === bucket - 1 ? c.current : 0 };
  }

  private weighted(c: LocalCounter, windowMs: number, now: number, algorithm: WindowAlgorithm): number {
    if (algorithm === 'fixed' || c.previous === 0) return c.current;
    const elapsed = now - c.bucket * windowMs;
    return c.current + (c.previous * (windowMs - elapsed)) / windowMs;
  }

  async hit(key: string, opts: HitOptions): Promise<HitResult> {
    const now = this.clock();
    const windowMs = opts.windowSeconds * 1000;
    const c = this.rolled(key, windowMs, now);
    c.current += 1;
    const count = this.weighted(c, windowMs, now, opts.algorithm ?? 'sliding');
    if (opts.limit && opts.ban && count >= opts.limit) {
      this.counters.delete(key);
      await this.ban(opts.ban);
      return { count, bannedNow: true, backend: 'local' };
    }
    this.counters.set(key, c, windowMs * 2);
    return { count, bannedNow: false, backend: 'local' };
  }

  async count(key: string, windowSeconds: number, algorithm: WindowAlgorithm = 'sliding'): Promise<number> {
    const now = this.clock();
    const windowMs = windowSeconds * 1000;
    return this.weighted(this.rolled(key, windowMs, now), windowMs, now, algorithm);
  }

  async resetCount(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async addDistinct(key: string, item: string, opts: HitOptions): Promise<HitResult> {
    const now = this.clock();
    const windowMs = opts.windowSeconds * 1000;
    let items = this.distinct.get(key);
    if (!items) items = new Map();
    for (const [h, seen] of items) if (seen <= now - windowMs) items.delete(h);
    const h = itemHash(item);
    items.delete(h);
    items.set(h, now);
    while (items.size > this.maxDistinctPerKey) items.delete(items.keys().next().value as string);
    const count = items.size;
    if (opts.limit && opts.ban && count >= opts.limit) {
      this.distinct.delete(key);
      await this.ban(opts.ban);
      return { count, bannedNow: true, backend: 'local' };
    }
    this.distinct.set(key, items, windowMs);
    return { count, bannedNow: false, backend: 'local' };
  }

  async ban(spec: BanSpec): Promise<void> {
    if (spec.seconds > 0) this.bans.set(spec.key, spec.reason, spec.seconds * 1000);
  }

  async banned(banKey: string): Promise<Ban | undefined> {
    const reason = this.bans.get(banKey);
    if (reason === undefined) return undefined;
    const remainingMs = this.bans.ttl(banKey);
    return remainingMs > 0 ? { remainingMs, reason } : undefined;
  }

  async unban(banKey: string): Promise<void> {
    this.bans.delete(banKey);
  }

  takeError(): string | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.counters.clear();
    this.distinct.clear();
    this.bans.clear();
  }
}

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Key prefix shared by all plugins that must see the same state. Default "kas". */
  prefix?: string;
  /** Answers operations while Redis fails. Default: a new LocalWindowStore. */
  fallback?: WindowStore;
  /** Told about every failed Redis operation (the store then used the fallback). */
  onError?: (err: Error, operation: string) => void;
  /** Cap of distinct items per key in Redis. Default 256. */
  maxDistinctPerKey?: number;
  clock?: () => number;
}

export class RedisWindowStore implements WindowStore {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  private readonly redis: ScriptedRedis;
  private readonly fallback: WindowStore;
  private readonly onError: (err: Error, operation: string) => void;
  private readonly maxDistinctPerKey: number;
  private readonly clock: () => number;

  constructor(opts: RedisStoreOptions) {
    this.prefix = opts.prefix ?? 'kas';
    this.redis = getRedisClient(opts);
    this.clock = opts.clock ?? Date.now;
    this.fallback = opts.fallback ?? new LocalWindowStore({ clock: this.clock });
    this.onError = opts.onError ?? (() => undefined);
    this.maxDistinctPerKey = opts.maxDistinctPerKey ?? 256;
  }

  /** Throws at once (→ fallback) while the client is reconnecting: an outage costs no waiting. */
  private client(): ScriptedRedis {
    if (!isRedisUsable(this.redis)) throw new Error(`redis unavailable (${this.redis.status})`);
    return this.redis;
  }

  private failures = 0;
  private lastFailure = '';
  private lastErrorReport = 0;

  takeError(): string | undefined {
    if (this.failures === 0) return undefined;
    const now = this.clock();
    if (now - this.lastErrorReport < 10_000) return undefined;
    this.lastErrorReport = now;
    const text = `redis ${this.failures} failed operation(s), using the per-process fallback; last: ${this.lastFailure}`;
    this.failures = 0;
    return text;
  }

  private failed(err: unknown, operation: string): void {
    this.failures++;
    this.lastFailure = `${operation}: ${err instanceof Error ? err.message : String(err)}`;
    try {
      this.onError(err instanceof Error ? err : new Error(String(err)), operation);
    } catch {
      /* a logging callback must never break the request */
    }
  }

  async hit(key: string, opts: HitOptions): Promise<HitResult> {
    const now = this.clock();
    const windowMs = Math.round(opts.windowSeconds * 1000);
    const bucket = bucketOf(now, windowMs);
    const sliding = (opts.algorithm ?? 'sliding') === 'sliding';
    const ban = opts.limit && opts.ban ? opts.ban : undefined;
    try {
      const [count, banned] = await this.client().kasHit(
        keys.counter(this.prefix, key, bucket),
        keys.counter(this.prefix, key, bucket - 1),
        keys.ban(this.prefix, ban ? ban.key : key),
        windowMs,
        now - bucket * windowMs,
        sliding ? 1 : 0,
        ban ? opts.limit! : 0,
        ban ? Math.round(ban.seconds * 1000) : 0,
        ban ? ban.reason : '',
      );
      return { count: Number(count), bannedNow: banned === 1, backend: 'redis' };
    } catch (err) {
      this.failed(err, 'hit');
      return this.fallback.hit(key, opts);
    }
  }

  async count(key: string, windowSeconds: number, algorithm: WindowAlgorithm = 'sliding'): Promise<number> {
    const now = this.clock();
    const windowMs = Math.round(windowSeconds * 1000);
    const bucket = bucketOf(now, windowMs);
    try {
      const [cur, prev] = await this.client().mget(
        keys.counter(this.prefix, key, bucket),
        keys.counter(this.prefix, key, bucket - 1),
      );
      const current = Number(cur ?? 0);
      const previous = algorithm === 'sliding' ? Number(prev ?? 0) : 0;
      return current + (previous * (windowMs - (now - bucket * windowMs))) / windowMs;
    } catch (err) {
      this.failed(err, 'count');
      return this.fallback.count(key, windowSeconds, algorithm);
    }
  }

  async resetCount(key: string, windowSeconds: number): Promise<void> {
    const windowMs = Math.round(windowSeconds * 1000);
    const bucket = bucketOf(this.clock(), windowMs);
    try {
      await this.client().del(keys.counter(this.prefix, key, bucket), keys.counter(this.prefix, key, bucket - 1));
    } catch (err) {
      this.failed(err, 'resetCount');
    }
    await this.fallback.resetCount(key, windowSeconds);
  }

  async addDistinct(key: string, item: string, opts: HitOptions): Promise<HitResult> {
    const now = this.clock();
    const windowMs = Math.round(opts.windowSeconds * 1000);
    const ban = opts.limit && opts.ban ? opts.ban : undefined;
    try {
      const [count, banned] = await this.client().kasDistinct(
        keys.distinct(this.prefix, key),
        keys.ban(this.prefix, ban ? ban.key : key),
        now,
        windowMs,
        itemHash(item),
        this.maxDistinctPerKey,
        ban ? opts.limit! : 0,
        ban ? Math.round(ban.seconds * 1000) : 0,
        ban ? ban.reason : '',
      );
      return { count: Number(count), bannedNow: banned === 1, backend: 'redis' };
    } catch (err) {
      this.failed(err, 'addDistinct');
      return this.fallback.addDistinct(key, item, opts);
    }
  }

  async ban(spec: BanSpec): Promise<void> {
    if (!(spec.seconds > 0)) return;
    try {
      await this.client().set(keys.ban(this.prefix, spec.key), spec.reason, 'PX', Math.round(spec.seconds * 1000));
    } catch (err) {
      this.failed(err, 'ban');
      await this.fallback.ban(spec);
    }
  }

  async banned(banKey: string): Promise<Ban | undefined> {
    try {
      const [pttl, reason] = await this.client().kasBanned(keys.ban(this.prefix, banKey));
      if (Number(pttl) > 0 && reason !== null && reason !== false) return { remainingMs: Number(pttl), reason: String(reason) };
    } catch (err) {
      this.failed(err, 'banned');
    }
    // A ban recorded in the fallback while Redis was down still applies.
    return this.fallback.banned(banKey);
  }

  async unban(banKey: string): Promise<void> {
    try {
      await this.client().del(keys.ban(this.prefix, banKey));
    } catch (err) {
      this.failed(err, 'unban');
    }
    await this.fallback.unban(banKey);
  }

  /** The Redis client is shared per connection settings; use `closeRedisClients()` to end them. */
  async close(): Promise<void> {
    await this.fallback.close();
  }
}

export type StorePolicy = 'local' | 'redis';

export interface StoreConfig extends RedisConnectionOptions {
  policy: StorePolicy;
  prefix?: string;
}

/** One local store per process, so instances of a plugin (one per route/worker) share counts. */
const sharedLocal = new LocalWindowStore();
const redisStores = new Map<string, RedisWindowStore>();

/** The store for a config: the process-wide local store, or a Redis store shared per connection+prefix. */
export function storeFor(config: StoreConfig): WindowStore {
  if (config.policy !== 'redis') return sharedLocal;
  const id = JSON.stringify([config.host, config.port, config.database ?? 0, config.username ?? '', config.password ?? '', config.prefix ?? 'kas', config.timeoutMs ?? 0]);
  let store = redisStores.get(id);
  if (!store) {
    store = new RedisWindowStore({ ...config, fallback: sharedLocal });
    redisStores.set(id, store);
  }
  return store;
}

/** Read by the pluginserver's diagnostic RPC (gateway/pluginserver/diagnostics.ts); no side effects. */
export function shieldDiagnostics(): { local: ReturnType<LocalWindowStore['sizes']>; redisStores: number } {
  return { local: sharedLocal.sizes(), redisStores: redisStores.size };
}
