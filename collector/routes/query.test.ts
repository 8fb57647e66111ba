import { makeBatch, makeEvent } from '../testing/events';
import { ADMIN_TOKEN, startTestCollector, type TestCollector } from '../testing/collector';

describe.each(['sqlite', 'postgres'] as const)('dashboard query API (%s)', (kind) => {
  let collector: TestCollector;
  const now = Date.parse('2025-06-01T12:00:00Z');
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await collector.get(path, auth);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    collector = await startTestCollector(kind, { adminToken: ADMIN_TOKEN, now: () => now });
    const events = [
      ...Array.from({ length: 30 }, (_, i) => makeEvent({ time: at(i * 2 + 1), attack_types: ['sqli'], client_ip: '198.51.100.1', path: '/api/users' })),
      ...Array.from({ length: 5 }, (_, i) => makeEvent({ time: at(i * 10 + 5), attack_types: ['xss'], action: 'monitored', client_ip: '198.51.100.2', path: '/api/search', findings: [{ type: 'xss', point: 'query.s', excerpt: '<svg onload=alert(1)>' }] })),
      makeEvent({ time: at(3 * 24 * 60), attack_types: ['rce'] }),
    ];
    const response = await collector.postEvents(makeBatch(events));
    expect(response.status).toBe(200);
  });
  afterAll(async () => {
    await collector.close();
  });

  test('summary and top lists honour the range', async () => {
    expect(await getJson('/api/v1/stats/summary?range=24h')).toMatchObject({ total: 35, blocked: 30, monitored: 5, passed: 0, unique_ips: 2 });
    expect(await getJson('/api/v1/stats/summary?range=7d')).toMatchObject({ total: 36 });
    const from = encodeURIComponent(at(20));
    expect(await getJson(`/api/v1/stats/summary?from=${from}&to=${now}`)).toMatchObject({ total: 12 });
    const { routes } = await getJson<{ routes: { path: string; count: number }[] }>('/api/v1/stats/top-routes?range=24h&limit=1');
    expect(routes).toEqual([{ route_id: 'route-users', path: '/api/users', count: 30, blocked: 30 }]);
    const { ips } = await getJson<{ ips: { client_ip: string; count: number; last_seen: string }[] }>('/api/v1/stats/top-ips?range=1h');
    expect(ips.map((ip) => [ip.client_ip, ip.count])).toEqual([['198.51.100.1', 30], ['198.51.100.2', 5]]);
    expect(ips[0].last_seen).toBe(at(1));
  });

  test('timeseries is dense and stacked by type', async () => {
    const series = await getJson<{ bucket_seconds: number; types: string[]; totals: Record<string, number>; points: { t: string; counts: Record<string, number> }[] }>(
      '/api/v1/stats/timeseries?range=1h',
    );
    expect(series.bucket_seconds).toBe(60);
    expect(series.points).toHaveLength(60);
    expect(series.types).toEqual(['sqli', 'xss']);
    expect(series.totals).toEqual({ sqli: 30, xss: 5 });
    const sum = series.points.reduce((n, p) => n + (p.counts.sqli ?? 0) + (p.counts.xss ?? 0), 0);
    expect(sum).toBe(35);
    const daily = await getJson<{ bucket_seconds: number; points: unknown[] }>('/api/v1/stats/timeseries?range=30d');
    expect(daily.bucket_seconds).toBe(21_600);
  });

  test('event list filters and pages with a cursor', async () => {
    type Page = { total: number; next_cursor: string | null; events: { id: string; time: string; client_ip: string }[] };
    const first = await getJson<Page>('/api/v1/events?range=24h&limit=20');
    expect(first.total).toBe(35);
    expect(first.events).toHaveLength(20);
    expect(first.events[0].time).toBe(at(1));
    const second = await getJson<Page>(`/api/v1/events?range=24h&limit=20&cursor=${first.next_cursor}`);
    expect(second.events).toHaveLength(15);
    expect(second.next_cursor).toBeNull();
    const all = [...first.events, ...second.events].map((e) => e.id);
    expect(new Set(all).size).toBe(35);
    expect((await getJson<Page>('/api/v1/events?range=24h&type=xss')).total).toBe(5);
    expect((await getJson<Page>('/api/v1/events?range=24h&action=monitored&ip=198.51.100.2')).total).toBe(5);
    expect((await getJson<Page>('/api/v1/events?range=24h&route=%2Fapi%2Fsearch')).total).toBe(5);
    expect((await getJson<Page>(`/api/v1/events?range=24h&q=${encodeURIComponent("OR '1'")}`)).total).toBe(30);
    const one = first.events[0];
    expect(await getJson(`/api/v1/events/${one.id}`)).toMatchObject({ id: one.id, node_id: 'node-a' });
  });

  test('bad query parameters get 400', async () => {
    for (const query of ['range=forever', 'from=yesterday', 'limit=0', 'limit=9999', 'action=dropped', 'cursor=zzz', 'bucket=1', `from=${now}&to=${now - 1}`]) {
      const response = await collector.get(`/api/v1/events?${query}`, auth);
      const series = await collector.get(`/api/v1/stats/timeseries?${query}`, auth);
      expect([response.status, series.status]).toContain(400);
    }
    expect((await collector.get('/api/v1/events/not-a-uuid', auth)).status).toBe(400);
    expect((await collector.get('/api/v1/events/00000000-0000-4000-8000-000000000000', auth)).status).toBe(404);
    expect((await collector.get('/api/v1/nope', auth)).status).toBe(404);
  });

  test('dashboard assets are served with a strict CSP, nothing else from disk', async () => {
    const page = await collector.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="\/assets\/app.js">/);
    const js = await collector.get('/assets/app.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML|document\.write/);
    for (const path of ['/assets/..%2Fserver.ts', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/nothing.js']) {
      expect((await collector.get(path)).status).toBe(404);
    }
  });
});
