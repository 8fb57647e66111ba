import { gzipSync } from 'node:zlib';
import { makeBatch, makeEvent } from '../testing/events';
import { NODE_TOKENS, startTestCollector, type TestCollector } from '../testing/collector';

describe.each(['sqlite', 'postgres'] as const)('POST /api/v1/events (%s)', (kind) => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector(kind, { bodyLimit: 64 * 1024 });
  });
  afterAll(async () => {
    await collector.close();
  });
  const total = async () => (await collector.store.summary({ from: 0, to: Date.now() + 86_400_000 })).total;

  test('accepts a gzip batch and a plain JSON batch, committed before the answer', async () => {
    const before = await total();
    const gz = await collector.postEvents(makeBatch([makeEvent(), makeEvent()]));
    expect(gz.status).toBe(200);
    expect(await gz.json()).toEqual({ accepted: 2, duplicate: 0 });
    const plain = await collector.postEvents(makeBatch([makeEvent()]), { gzip: false });
    expect(await plain.json()).toEqual({ accepted: 1, duplicate: 0 });
    expect((await total()) - before).toBe(3);
  });

  test('retries are idempotent, also when sent concurrently', async () => {
    const before = await total();
    const batch = makeBatch(Array.from({ length: 40 }, () => makeEvent()));
    const answers = await Promise.all(Array.from({ length: 8 }, () => collector.postEvents(batch)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { accepted: number; duplicate: number }[];
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(bodies.reduce((n, b) => n + b.accepted, 0)).toBe(40);
    expect(bodies.reduce((n, b) => n + b.duplicate, 0)).toBe(7 * 40);
    expect(await (await collector.postEvents(batch)).json()).toEqual({ accepted: 0, duplicate: 40 });
    expect((await total()) - before).toBe(40);
  });

  test('401 without a token or with a wrong one', async () => {
    const batch = makeBatch([makeEvent()]);
    for (const token of [null, 'wrong-token-0123456789', NODE_TOKENS['node-a'].slice(0, -1)]) {
      const response = await collector.postEvents(batch, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  test("a host id that is not the token's node is recorded under the token's node, never as another node", async () => {
    const response = await collector.postEvents(makeBatch([makeEvent()], 'node-b'));
    expect(response.status).toBe(200);
    const ok = await collector.postEvents(makeBatch([makeEvent()], 'node-b'), { token: NODE_TOKENS['node-b'] });
    expect(ok.status).toBe(200);
    const nodes = (await (await fetch(`${collector.url}/api/v1/nodes`)).json()) as { nodes: { node_id: string }[] };
    const ids = nodes.nodes.map((n) => n.node_id).sort();
    expect(ids).toContain('node-a/node-b');
    expect(ids).toContain('node-b');
  });

  test('400 for invalid JSON, invalid gzip, invalid UTF-8 and empty bodies', async () => {
    const post = (body: Buffer | string, encoding?: string) =>
      fetch(`${collector.url}/api/v1/events`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${NODE_TOKENS['node-a']}`,
          'Content-Type': 'application/json',
          ...(encoding ? { 'Content-Encoding': encoding } : {}),
        },
        body,
      });
    const cases: [Response, string][] = [
      [await post('{"node_id": '), 'invalid_json'],
      [await post(gzipSync('[1,2')), 'invalid_json'],
      [await post(Buffer.from('not gzip at all'), 'gzip'), 'invalid_gzip'],
      [await post(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 'invalid_json'],
      [await post(''), 'invalid_json'],
    ];
    for (const [response, code] of cases) {
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(code);
    }
  });

  test('400 for schema violations, with JSON pointer paths', async () => {
    const bad = makeBatch([makeEvent(), makeEvent({ id: 'nope', action: 'allowed' as never })]);
    (bad.events[0] as unknown as Record<string, unknown>).surprise = 1;
    const response = await collector.postEvents(bad);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; details: { path: string; message: string }[] };
    expect(body.error).toBe('invalid_batch');
    const paths = body.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/events/0', '/events/1/id', '/events/1/action']));
    expect(body.details.find((d) => d.path === '/events/0')?.message).toMatch(/surprise/);
    const empty = await collector.postEvents({ node_id: 'node-a', sent_at: new Date().toISOString(), events: [] });
    expect(empty.status).toBe(400);
    const notObject = await collector.postEvents([]);
    expect(((await notObject.json()) as { details: unknown[] }).details).toEqual([{ path: '/', message: 'must be object' }]);
  });

  test('413 for bodies over the limit, on the wire and after decompression', async () => {
    const huge = makeBatch(Array.from({ length: 200 }, () => makeEvent({ findings: [{ type: 'sqli', point: 'q', excerpt: 'x'.repeat(500) }] })));
    const plain = await collector.postEvents(huge, { gzip: false });
    expect(plain.status).toBe(413);
    expect(await plain.json()).toMatchObject({ error: 'payload_too_large' });
    // Compresses far below the limit but inflates past it: the gzip bomb case.
    const bomb = await collector.postEvents(`{"node_id":"node-a","pad":"${' '.repeat(1024 * 1024)}"}`);
    expect(bomb.status).toBe(413);
    expect(await bomb.json()).toMatchObject({ error: 'payload_too_large' });
  });

  test('415 for other content types and encodings', async () => {
    const headers = { Authorization: `Bearer ${NODE_TOKENS['node-a']}` };
    const batch = JSON.stringify(makeBatch([makeEvent()]));
    const text = await fetch(`${collector.url}/api/v1/events`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body: batch });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: 'unsupported_media_type' });
    const form = await fetch(`${collector.url}/api/v1/events`, { method: 'POST', headers, body: new URLSearchParams({ a: 'b' }) });
    expect(form.status).toBe(415);
    const br = await fetch(`${collector.url}/api/v1/events`, {
      method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, body: batch,
    });
    expect(br.status).toBe(415);
    expect(await br.json()).toMatchObject({ error: 'unsupported_encoding' });
  });

  test('stores strings PostgreSQL could not (NUL, lone surrogates) instead of failing forever', async () => {
    const event = makeEvent({ findings: [{ type: 'sqli', point: 'q', excerpt: 'a\u0000b\ud800' }], extra: { 'k\u0000': 'v' } });
    const response = await collector.postEvents(makeBatch([event]));
    expect(response.status).toBe(200);
    const stored = await collector.store.getEvent(event.id);
    expect(stored?.findings[0].excerpt).toBe('a\ufffdb\ufffd');
  });

  test("records each node's dropped counters and last-seen time", async () => {
    const before = Date.now();
    await collector.postEvents(makeBatch([makeEvent()], 'node-a', { queue_full: 4, spool_full: 0 }));
    const response = await collector.get('/api/v1/nodes');
    expect(response.status).toBe(200);
    const { nodes } = (await response.json()) as { nodes: { node_id: string; last_seen: string; dropped: Record<string, number> }[] };
    const nodeA = nodes.find((n) => n.node_id === 'node-a');
    expect(nodeA?.dropped).toEqual({ queue_full: 4, spool_full: 0 });
    expect(Date.parse(nodeA?.last_seen ?? '')).toBeGreaterThanOrEqual(before - 5);
  });
});
