import { makeBatch, makeEvent } from '../testing/events';
import { openTestStore, type TestStore } from '../testing/databases';

describe.each(['sqlite', 'postgres'] as const)('%s store', (kind) => {
  let t: TestStore;
  const now = Date.parse('2025-06-01T12:00:00Z');
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
  const range = { from: now - 3_600_000, to: now + 3_600_000 };

  beforeEach(async () => {
    t = await openTestStore(kind);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  test('ingest is idempotent on event id (case-insensitive) and counts duplicates', async () => {
    const a = makeEvent({ time: at(0) });
    const b = makeEvent({ time: at(1) });
    expect(await t.store.ingest(makeBatch([a, b]), now)).toEqual({ accepted: 2, duplicate: 0 });
    const c = makeEvent({ time: at(2) });
    const retry = makeBatch([{ ...a, id: a.id.toUpperCase() }, b, c]);
    expect(await t.store.ingest(retry, now)).toEqual({ accepted: 1, duplicate: 2 });
    const page = await t.store.queryEvents(range, null, 50, 1000);
    expect(page.total).toBe(3);
    expect(page.events.map((e) => e.id)).toEqual([c.id, b.id, a.id]);
  });

  test('duplicates inside one batch are stored once', async () => {
    const a = makeEvent({ time: at(0) });
    expect(await t.store.ingest(makeBatch([a, a]), now)).toEqual({ accepted: 1, duplicate: 1 });
    expect((await t.store.summary(range)).total).toBe(1);
  });

  test('concurrent retries of the same batch never duplicate', async () => {
    const events = Array.from({ length: 50 }, (_, i) => makeEvent({ time: at(i % 30) }));
    const results = await Promise.all(Array.from({ length: 6 }, () => t.store.ingest(makeBatch(events), now)));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(50);
    expect(results.reduce((n, r) => n + r.duplicate, 0)).toBe(250);
    expect((await t.store.summary(range)).total).toBe(50);
    const series = await t.store.timeseries(range, 3_600_000);
    expect(series.reduce((n, p) => n + p.count, 0)).toBe(50);
  });

  test('round-trips every field of an event', async () => {
    const event = makeEvent({
      time: at(5), extra: { failed: 7, nested: { a: [1, 2] } }, consumer_id: 'c-1', status: null,
      findings: [{ type: 'xss', point: 'body.json.name', excerpt: '<img src=x onerror=alert(1)>', detail: 'tag' }],
      attack_types: ['xss'],
    });
    await t.store.ingest(makeBatch([event], 'node-b'), now);
    const stored = await t.store.getEvent(event.id);
    expect(stored).toEqual({ ...event, node_id: 'node-b', received_at: new Date(now).toISOString() });
    expect(await t.store.getEvent('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  test('filters, text search and keyset pagination', async () => {
    const events = [
      makeEvent({ time: at(1), attack_types: ['sqli'], client_ip: '10.0.0.1', path: '/a' }),
      makeEvent({ time: at(2), attack_types: ['xss', 'sqli'], client_ip: '10.0.0.2', path: '/b', action: 'monitored' }),
      makeEvent({ time: at(3), attack_types: [], kind: 'brute_force', plugin: 'key-auth-ext', client_ip: '10.0.0.1', path: '/login', findings: [] }),
      makeEvent({ time: at(4), attack_types: ['rce'], path: '/c', route_id: 'r-c', findings: [{ type: 'rce', point: 'header.x', excerpt: 'wget 100%_evil' }] }),
    ];
    await t.store.ingest(makeBatch(events), now);
    const ids = async (filter: object) =>
      (await t.store.queryEvents({ ...range, ...filter }, null, 50, 1000)).events.map((e) => e.id);
    expect(await ids({ type: 'sqli' })).toEqual([events[1].id, events[0].id]);
    expect(await ids({ type: 'brute_force' })).toEqual([events[2].id]);
    expect(await ids({ type: 'sql' })).toEqual([]);
    expect(await ids({ action: 'monitored' })).toEqual([events[1].id]);
    expect(await ids({ clientIp: '10.0.0.1' })).toEqual([events[2].id, events[0].id]);
    expect(await ids({ route: 'r-c' })).toEqual([events[3].id]);
    expect(await ids({ route: '/b' })).toEqual([events[1].id]);
    expect(await ids({ kind: 'brute_force' })).toEqual([events[2].id]);
    expect(await ids({ text: 'WGET' })).toEqual([events[3].id]);
    expect(await ids({ text: '100%_' })).toEqual([events[3].id]);
    expect(await ids({ text: '%' })).toEqual([events[3].id]);
    expect(await ids({ from: now + 150_000 })).toEqual([events[3].id, events[2].id]);

    const first = await t.store.queryEvents(range, null, 3, 2);
    expect(first.events.map((e) => e.id)).toEqual([events[3].id, events[2].id, events[1].id]);
    expect(first).toMatchObject({ total: 2, total_capped: true });
    const second = await t.store.queryEvents(range, first.next_cursor, 3, 1000);
    expect(second.events.map((e) => e.id)).toEqual([events[0].id]);
    expect(second.next_cursor).toBeNull();
  });

  test('stats: summary, timeseries by type, top routes and IPs', async () => {
    await t.store.ingest(makeBatch([
      makeEvent({ time: at(-50), attack_types: ['sqli'], client_ip: '1.1.1.1', path: '/x', route_id: 'rx' }),
      makeEvent({ time: at(-49), attack_types: ['sqli', 'xss'], client_ip: '1.1.1.1', path: '/x', route_id: 'rx', action: 'monitored' }),
      makeEvent({ time: at(10), attack_types: ['xss'], client_ip: '2.2.2.2', path: '/y', route_id: null }),
      makeEvent({ time: at(11), attack_types: [], kind: 'brute_force', client_ip: '1.1.1.1', path: '/x', route_id: 'rx', action: 'passed', findings: [] }),
      makeEvent({ time: at(-120), attack_types: ['rce'] }),
    ]), now);
    expect(await t.store.summary(range)).toEqual({
      total: 4, blocked: 2, monitored: 1, passed: 1, unique_ips: 2, by_kind: { attack: 3, brute_force: 1 },
    });
    const series = await t.store.timeseries(range, 3_600_000);
    const sorted = [...series].sort((a, b) => a.t - b.t || a.type.localeCompare(b.type));
    expect(sorted).toEqual([
      { t: range.from, type: 'sqli', count: 2 },
      { t: range.from, type: 'xss', count: 1 },
      { t: now, type: 'brute_force', count: 1 },
      { t: now, type: 'xss', count: 1 },
    ]);
    expect(await t.store.topRoutes(range, 10)).toEqual([
      { route_id: 'rx', path: '/x', count: 3, blocked: 1 },
      { route_id: null, path: '/y', count: 1, blocked: 1 },
    ]);
    expect(await t.store.topIps(range, 1)).toEqual([
      { client_ip: '1.1.1.1', count: 3, blocked: 1, last_seen: now + 11 * 60_000 },
    ]);
  });

  test('records node last-seen and dropped counters', async () => {
    await t.store.ingest(makeBatch([makeEvent()], 'node-a', { queue_full: 3 }), now);
    await t.store.ingest(makeBatch([makeEvent()], 'node-a'), now + 1000);
    await t.store.ingest(makeBatch([makeEvent()], 'node-b', { spool_full: 1 }), now + 500);
    expect(await t.store.nodes()).toEqual([
      { node_id: 'node-a', last_seen: now + 1000, dropped: { queue_full: 3 }, events_accepted: 2, batches: 2 },
      { node_id: 'node-b', last_seen: now + 500, dropped: { spool_full: 1 }, events_accepted: 1, batches: 1 },
    ]);
  });

  test('ip lists: upsert, expiry, delete', async () => {
    const added = await t.store.upsertIpEntry({ cidr: '203.0.113.0/24', list: 'deny', reason: 'scanner', expires_at: null }, now);
    expect(added.created).toBe(true);
    expect(added.entry).toMatchObject({ cidr: '203.0.113.0/24', list: 'deny', reason: 'scanner', expires_at: null, created_at: now });
    const again = await t.store.upsertIpEntry({ cidr: '203.0.113.0/24', list: 'deny', reason: 'scanner v2', expires_at: now + 60_000 }, now + 5);
    expect(again).toEqual({ created: false, entry: { ...added.entry, reason: 'scanner v2', expires_at: now + 60_000 } });
    await t.store.upsertIpEntry({ cidr: '10.1.1.1/32', list: 'grey', reason: null, expires_at: now + 10 }, now);
    expect((await t.store.listIpEntries(now)).map((e) => e.cidr)).toEqual(['203.0.113.0/24', '10.1.1.1/32']);
    expect((await t.store.listIpEntries(now + 10)).map((e) => e.cidr)).toEqual(['203.0.113.0/24']);
    expect(await t.store.deleteIpEntry(added.entry.id)).toBe(true);
    expect(await t.store.deleteIpEntry(added.entry.id)).toBe(false);
    expect(await t.store.listIpEntries(now)).toHaveLength(1);
  });

  test('prune deletes old events and expired list entries', async () => {
    await t.store.ingest(makeBatch([makeEvent({ time: at(-100) }), makeEvent({ time: at(1) })]), now);
    await t.store.upsertIpEntry({ cidr: '10.0.0.0/8', list: 'deny', reason: null, expires_at: now - 1 }, now - 10);
    expect(await t.store.prune(now, now)).toBe(1);
    expect((await t.store.summary({ from: 0, to: now * 2 })).total).toBe(1);
    expect(await t.store.timeseries({ from: 0, to: now * 2 }, now * 2)).toEqual([{ t: 0, type: 'sqli', count: 1 }]);
    expect(await t.store.listIpEntries(0)).toEqual([]);
  });
});
