import nodeFs from 'node:fs';
import nodePath from 'node:path';
/**
 * Replay: part of the benign browsing dev corpus (/work/shared/corpus, read at test time; skipped when
 * missing) plus generated API traffic → Inventory.observe → InventorySender → a real collector (SQLite) →
 * the query API. Asserts the generated API's templates, types, formats and sensitive flags, that the corpus
 * leaves no value-shaped literal in any template, and that caps hold under a flood. Prints observe()'s cost.
 */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { HttpRequest } from '../../../lib/types';
import { NODE_TOKENS, startTestCollector, type TestCollector } from '../../../collector/testing/collector';
import { Inventory } from './inventory';
import { InventorySender } from './sender';
import { segmentKind } from './template';
import { req } from './testing';

const CORPUS = [process.env.KAS_CORPUS_DIR ?? '', nodePath.resolve(__dirname, '../../../../shared/corpus'), nodePath.resolve(__dirname, '../../../../../shared/corpus'), '/work/shared/corpus']
  .map((d: string) => `${d}/benign-browsing-dev.jsonl.gz`)
  .find((f: string) => nodeFs.existsSync(f)) ?? '/work/shared/corpus/benign-browsing-dev.jsonl.gz';
const CORPUS_LINES = 4000;

interface CorpusLine {
  method: string;
  url: string;
  headers: Record<string, string>;
  data: string;
}

function corpusRequests(): { host: string; request: HttpRequest }[] {
  if (!fs.existsSync(CORPUS)) return [];
  const lines = gunzipSync(fs.readFileSync(CORPUS)).toString('utf8').split('\n').slice(0, CORPUS_LINES);
  const out: { host: string; request: HttpRequest }[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as CorpusLine;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = v;
    const q = c.url.indexOf('?');
    out.push({
      host: headers.host ?? '',
      request: { method: c.method, path: q < 0 ? c.url : c.url.slice(0, q), query: q < 0 ? '' : c.url.slice(q + 1), headers, body: c.data ? Buffer.from(c.data) : null },
    });
  }
  return out;
}

function apiTraffic(): HttpRequest[] {
  const out: HttpRequest[] = [];
  for (let i = 0; i < 40; i++) out.push(req('GET', `/v2/users/${1000 + i * 7}?page=${i % 5}&active=${i % 2 === 0}`));
  for (let i = 0; i < 20; i++) out.push(req('GET', `/v2/orders/${`${i.toString(16).padStart(8, '0')}-9dad-41d1-80b4-00c04fd430c8`}/items`));
  for (let i = 0; i < 20; i++) {
    out.push(req('POST', '/v2/payments', { json: { customer: { email: `user${i}@shop.example`, iban: 'GB82 WEST 1234 5698 7654 32' }, card: { number: '4111111111111111', cvc: '123' }, amount: 10 + i, currency: 'EUR', at: '2025-03-01T10:00:00Z' } }));
  }
  out.push(req('POST', '/v2/session', { form: 'login=bob&pwd=s3cret', headers: { 'x-client-ip': '203.0.113.9' } }));
  return out;
}

describe('discovery replay → collector', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector('sqlite');
  });
  afterAll(async () => {
    await collector.close();
  });

  test('corpus + generated API traffic: expected inventory, no value-shaped literals, bounded memory', async () => {
    const corpus = corpusRequests();
    const api = apiTraffic();
    const inv = new Inventory();
    const started = performance.now();
    for (const { host, request } of corpus) inv.observe({ request, routeId: host.slice(0, 64) || null, serviceId: null });
    const corpusMs = performance.now() - started;
    const apiStarted = performance.now();
    for (const request of api) inv.observe({ request, routeId: 'route-api', serviceId: 'svc-api' });
    const apiMs = performance.now() - apiStarted;
    if (corpus.length > 0) {
      console.log(`observe() (cold JIT, under jest; see bench.ts for warm numbers): ${((corpusMs * 1000) / corpus.length).toFixed(1)} µs/request over ${corpus.length} corpus requests, ${((apiMs * 1000) / api.length).toFixed(1)} µs/request over ${api.length} API requests; ${inv.endpointCount} endpoints`);
    }
    expect(inv.cappedCounts().error).toBeUndefined();

    const sender = new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' });
    await sender.flush();
    expect(sender.counters.sendErrors + sender.counters.rejected).toBe(0);
    expect(sender.lastError).toBeUndefined();

    const res = await collector.get('/api/v1/inventory?limit=5000');
    const { endpoints } = (await res.json()) as { endpoints: { route_id: string; method: string; template: string; count: number; sensitive: string[]; params: { in: string; name: string; types: Record<string, number>; formats: Record<string, number>; sensitive: string[] }[] }[] };
    const route = endpoints.filter((e) => e.route_id === 'route-api');
    expect(route.map((e) => `${e.method} ${e.template}`).sort()).toEqual(['GET /v2/orders/{uuid}/items', 'GET /v2/users/{id}', 'POST /v2/payments', 'POST /v2/session']);
    const ep = (t: string) => route.find((e) => e.template === t)!;
    const p = (t: string, where: string, name: string) => ep(t).params.find((x) => x.in === where && x.name === name)!;
    expect(ep('/v2/users/{id}').count).toBe(40);
    expect(p('/v2/users/{id}', 'query', 'active').types).toEqual({ boolean: 40 });
    expect(p('/v2/users/{id}', 'query', 'page').types).toEqual({ integer: 40 });
    expect(p('/v2/orders/{uuid}/items', 'path', 'uuid').formats).toEqual({ uuid: 20 });
    expect(p('/v2/payments', 'body', 'customer.email')).toMatchObject({ formats: { email: 20 }, sensitive: ['email'] });
    expect(p('/v2/payments', 'body', 'customer.iban').sensitive).toEqual(['iban']);
    expect(p('/v2/payments', 'body', 'card.number').sensitive).toEqual(['card']);
    expect(p('/v2/payments', 'body', 'amount').types).toEqual({ integer: 20 });
    expect(p('/v2/payments', 'body', 'at').formats).toEqual({ 'date-time': 20 });
    expect(ep('/v2/payments').sensitive).toEqual(['email', 'card', 'iban']);
    expect(p('/v2/session', 'body', 'pwd').sensitive).toEqual(['password']);
    expect(p('/v2/session', 'header', 'x-client-ip').formats).toEqual({ ipv4: 1 });

    if (corpus.length > 0) {
      const web = endpoints.filter((e) => e.route_id !== 'route-api');
      expect(web.length).toBeGreaterThan(50);
      // No template keeps a number, UUID, hash, token, date or email as a literal segment.
      const leaked = web.flatMap((e) => e.template.split('/').filter((s) => s !== '' && !s.startsWith('{') && segmentKind(decodeURIComponent(s)) !== null).map((s) => `${e.template} (${s})`));
      expect(leaked).toEqual([]);
      expect(web.reduce((n, e) => n + e.count, 0)).toBe(corpus.length);
      expect(web.some((e) => e.params.some((x) => x.in === 'cookie'))).toBe(true);
    }
  });

  test('memory caps under a flood of distinct paths and parameters', async () => {
    const inv = new Inventory({ maxEndpoints: 100, maxParamsPerEndpoint: 20, maxDistinct: 16 });
    for (let i = 0; i < 20_000; i++) inv.observe({ request: req('GET', `/f/${i.toString(36)}x/${i % 3 === 0 ? 'a' : 'b'}?k${i % 97}=${i}`), routeId: 'flood' });
    for (let i = 0; i < 20_000; i++) inv.observe({ request: req('GET', `/r${i}`), routeId: 'flood' });
    expect(inv.endpointCount).toBeLessThanOrEqual(100);
    const capped = inv.cappedCounts();
    expect(capped.endpoints).toBeGreaterThan(19_000);
    const batch = inv.drain('n')!;
    for (const e of batch.endpoints) {
      expect(e.params.length).toBeLessThanOrEqual(20);
      for (const p of e.params) expect(p.distinct).toBeLessThanOrEqual(16);
    }
    // The literal fan-out under /f collapsed into one template per suffix instead of thousands of endpoints.
    expect(batch.endpoints.map((e) => e.template)).toEqual(expect.arrayContaining(['/f/{param}/a', '/f/{param}/b']));
    const sender = new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' });
    inv.observe({ request: req('GET', '/r1'), routeId: 'flood' });
    await sender.flush();
    expect(sender.counters.batchesSent).toBe(1);
    const nodes = (await (await collector.get('/api/v1/inventory?route=flood')).json()) as { nodes: { node_id: string; capped: Record<string, number> }[] };
    expect(nodes.nodes.find((n) => n.node_id === 'node-a')?.capped.endpoints).toBe(capped.endpoints);
  });
});
