import { gunzipSync } from 'node:zlib';
import { Inventory } from './inventory';
import { chunkBatch, InventorySender, inventoryUrl } from './sender';
import { req } from './testing';
import type { InventoryBatch } from './wire';

function fakeFetch(statuses: number[]) {
  const seen: { url: string; auth: string | undefined; batch: InventoryBatch }[] = [];
  const impl = (async (url: string, init: { headers: Record<string, string>; body: Buffer }) => {
    seen.push({ url, auth: init.headers.authorization, batch: JSON.parse(gunzipSync(init.body).toString('utf8')) as InventoryBatch });
    const status = statuses.shift() ?? 200;
    if (status === 0) throw new Error('ECONNREFUSED');
    return new Response('{}', { status });
  }) as unknown as typeof fetch;
  return { impl, seen };
}

describe('InventorySender', () => {
  test('URL forms', () => {
    expect(inventoryUrl('http://c:1/')).toBe('http://c:1/api/v1/inventory');
    expect(inventoryUrl('http://c:1/api/v1/events')).toBe('http://c:1/api/v1/inventory');
  });

  test('a failed batch is resent with the same id after backoff; a rejected one is dropped', async () => {
    const inv = new Inventory();
    const f = fakeFetch([0, 503, 200, 422]);
    const s = new InventorySender(inv, { endpoint: 'http://collector', token: 't', nodeId: 'n', fetchImpl: f.impl, backoffBaseMs: 0, backoffMaxMs: 0 });
    inv.observe({ request: req('GET', '/a/1') });
    await s.flush(); // network error
    await s.flush(); // 503
    await s.flush(); // 200
    expect(f.seen.map((x) => x.batch.batch_id)).toEqual([f.seen[0].batch.batch_id, f.seen[0].batch.batch_id, f.seen[0].batch.batch_id]);
    expect(f.seen[0]).toMatchObject({ url: 'http://collector/api/v1/inventory', auth: 'Bearer t' });
    expect(s.counters).toMatchObject({ batchesSent: 1, sendErrors: 2 });
    inv.observe({ request: req('GET', '/b') });
    await s.flush(); // 422
    expect(s.counters.rejected).toBe(1);
    expect(s.pendingBatches).toBe(0);
    await s.flush();
    expect(f.seen).toHaveLength(4); // nothing new observed: nothing sent
  });

  test('pending batches are bounded; big batches are split into contract-sized ones', async () => {
    const inv = new Inventory();
    const f = fakeFetch(Array(50).fill(503));
    const s = new InventorySender(inv, { endpoint: 'http://c', nodeId: 'n', fetchImpl: f.impl, maxPending: 3, backoffBaseMs: 0, backoffMaxMs: 0 });
    for (let i = 0; i < 6; i++) {
      inv.observe({ request: req('GET', `/p${i}`) });
      await s.flush();
    }
    expect(s.pendingBatches).toBe(3);
    expect(s.counters.dropped).toBe(3);
    const big: InventoryBatch = { batch_id: '00000000-0000-4000-8000-000000000000', node_id: 'n', sent_at: '', capped: {}, endpoints: Array(450).fill(null).map(() => ({ ...inv.drain('n'), endpoints: [] } as never)) };
    const parts = chunkBatch(big, 200);
    expect(parts.map((p) => p.endpoints.length)).toEqual([200, 200, 50]);
    expect(new Set(parts.map((p) => p.batch_id)).size).toBe(3);
    for (const p of parts) expect(p.batch_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
