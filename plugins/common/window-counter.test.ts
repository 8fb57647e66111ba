import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { LocalWindowStore, RedisWindowStore, type WindowStore } from './window-counter';
import { closeRedisClients } from './redis';
import { greylistIp, greylisted, ungreylistIp } from './greylist';
import { BoundedTtlMap } from './lru';

const REDIS = { host: '127.0.0.1', port: 6379 };

function backends(): [string, (clock: () => number) => WindowStore][] {
  return [
    ['local', (clock) => new LocalWindowStore({ clock })],
    ['redis', (clock) => new RedisWindowStore({ ...REDIS, prefix: `kas-test-${randomUUID()}`, clock, timeoutMs: 500 })],
  ];
}

const admin = new Redis(REDIS.port, REDIS.host);
const usedPrefixes: string[] = [];

afterAll(async () => {
  // Clean every key the Redis tests created.
  for (const prefix of usedPrefixes) {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
  }
  await admin.quit();
  await closeRedisClients();
});

describe.each(backends())('window store (%s)', (kind, make) => {
  let now: number;
  let store: WindowStore;
  beforeEach(async () => {
    now = Date.UTC(2026, 5, 1, 12, 0, 0);
    store = make(() => now);
    if (store instanceof RedisWindowStore) {
      usedPrefixes.push(store.prefix);
      await admin.ping();
      // first command may race the client's connect; it is queued (bounded by timeout)
    }
  });

  it('fixed window counts and resets at the window boundary', async () => {
    for (let i = 1; i <= 3; i++) expect((await store.hit('k', { windowSeconds: 10, algorithm: 'fixed' })).count).toBe(i);
    expect(await store.count('k', 10, 'fixed')).toBe(3);
    now += 10_000;
    expect((await store.hit('k', { windowSeconds: 10, algorithm: 'fixed' })).count).toBe(1);
    expect((await store.hit('k', { windowSeconds: 10, algorithm: 'fixed' })).backend).toBe(kind);
  });

  it('sliding window weighs the previous window', async () => {
    for (let i = 0; i < 10; i++) await store.hit('s', { windowSeconds: 10 });
    now += 12_500; // 25% into the next window: previous counts 75%
    const r = await store.hit('s', { windowSeconds: 10 });
    expect(r.count).toBeCloseTo(1 + 10 * 0.75, 5);
    now += 10_000; // two windows later: nothing left but the new hit
    expect((await store.hit('s', { windowSeconds: 10 })).count).toBeCloseTo(1 + 1 * 0.75, 5);
  });

  it('reaching the limit sets the ban atomically and resets the counter', async () => {
    const opts = { windowSeconds: 60, limit: 3, ban: { key: 'ban:1.2.3.4', seconds: 30, reason: 'too many' } };
    expect((await store.hit('f', opts)).bannedNow).toBe(false);
    expect((await store.hit('f', opts)).bannedNow).toBe(false);
    expect(await store.banned('ban:1.2.3.4')).toBeUndefined();
    expect((await store.hit('f', opts)).bannedNow).toBe(true);
    const ban = await store.banned('ban:1.2.3.4');
    expect(ban?.reason).toBe('too many');
    expect(ban!.remainingMs).toBeGreaterThan(0);
    expect(ban!.remainingMs).toBeLessThanOrEqual(30_000);
    expect(await store.count('f', 60)).toBe(0);
    await store.unban('ban:1.2.3.4');
    expect(await store.banned('ban:1.2.3.4')).toBeUndefined();
  });

  it('counts DISTINCT items in a window and bans at the limit', async () => {
    const opts = { windowSeconds: 60, limit: 3, ban: { key: 'grey:x', seconds: 60, reason: 'distinct' } };
    expect((await store.addDistinct('d', "' or 1=1 --", opts)).count).toBe(1);
    expect((await store.addDistinct('d', "' or 1=1 --", opts)).count).toBe(1); // same payload again
    expect((await store.addDistinct('d', '<script>', opts)).count).toBe(2);
    now += 61_000; // first two expire
    expect((await store.addDistinct('d', '../../etc/passwd', opts)).count).toBe(1);
    expect((await store.addDistinct('d', 'a', opts)).count).toBe(2);
    const third = await store.addDistinct('d', 'b', opts);
    expect(third).toMatchObject({ count: 3, bannedNow: true });
    expect((await store.banned('grey:x'))?.reason).toBe('distinct');
  });

  it('greylist helpers use canonical IPs', async () => {
    expect(await greylistIp(store, '::ffff:203.0.113.5', 60, 'test')).toBe(true);
    expect((await greylisted(store, '203.0.113.5'))?.reason).toBe('test');
    expect(await greylisted(store, '203.0.113.6')).toBeUndefined();
    expect(await greylistIp(store, 'not-an-ip', 60, 'x')).toBe(false);
    await ungreylistIp(store, '203.0.113.5');
    expect(await greylisted(store, '203.0.113.5')).toBeUndefined();
  });
});

describe('RedisWindowStore specifics', () => {
  it('two stores (think: two pluginserver processes) share counters and bans', async () => {
    const prefix = `kas-test-${randomUUID()}`;
    usedPrefixes.push(prefix);
    // Different timeouts → different client connections, like separate processes.
    const a = new RedisWindowStore({ ...REDIS, prefix, timeoutMs: 400 });
    const b = new RedisWindowStore({ ...REDIS, prefix, timeoutMs: 401 });
    const opts = { windowSeconds: 60, limit: 4, ban: { key: 'lock', seconds: 5, reason: 'shared' } };
    await a.hit('c', opts);
    await b.hit('c', opts);
    await a.hit('c', opts);
    expect((await b.hit('c', opts)).bannedNow).toBe(true);
    expect((await a.banned('lock'))?.reason).toBe('shared');
    const keys = await admin.keys(`${prefix}:*`);
    expect(keys).toEqual([`${prefix}:ban:lock`]);
    expect(await admin.pttl(keys[0])).toBeGreaterThan(0);
  });

  it('every key it writes has a TTL', async () => {
    const prefix = `kas-test-${randomUUID()}`;
    usedPrefixes.push(prefix);
    const s = new RedisWindowStore({ ...REDIS, prefix, timeoutMs: 400 });
    await s.hit('t', { windowSeconds: 30 });
    await s.addDistinct('t', 'x', { windowSeconds: 30 });
    await s.ban({ key: 'b', seconds: 30, reason: 'r' });
    const keys = await admin.keys(`${prefix}:*`);
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(0);
  });

  it('an unreachable Redis falls back to the local store without hanging or throwing', async () => {
    const errors: string[] = [];
    const s = new RedisWindowStore({ host: '127.0.0.1', port: 1, prefix: 'unused', timeoutMs: 50, connectTimeoutMs: 50, onError: (e) => errors.push(e.message) });
    const opts = { windowSeconds: 60, limit: 2, ban: { key: 'b', seconds: 10, reason: 'fallback' } };
    const first = await s.hit('k', opts);
    expect(first.backend).toBe('local');
    expect((await s.hit('k', opts)).bannedNow).toBe(true);
    expect((await s.banned('b'))?.reason).toBe('fallback');
    expect(errors.length).toBeGreaterThan(0);
    expect(s.takeError()).toContain('fallback');
    expect(s.takeError()).toBeUndefined(); // rate-limited
  });
});

describe('BoundedTtlMap', () => {
  it('never exceeds its cap and expires entries', () => {
    let now = 0;
    const m = new BoundedTtlMap<number, number>(100, () => now);
    for (let i = 0; i < 10_000; i++) m.set(i, i, 1000);
    expect(m.size).toBeLessThanOrEqual(100);
    expect(m.get(9999)).toBe(9999);
    expect(m.get(0)).toBeUndefined();
    now = 1000;
    expect(m.get(9999)).toBeUndefined();
  });

  it('the local store stays bounded under a flood of distinct keys', async () => {
    const s = new LocalWindowStore({ maxEntries: 1000 });
    for (let i = 0; i < 20_000; i++) await s.hit(`ip-${i}`, { windowSeconds: 60 });
    const internals = s as unknown as { counters: BoundedTtlMap<string, unknown> };
    expect(internals.counters.size).toBeLessThanOrEqual(1000);
  });
});
