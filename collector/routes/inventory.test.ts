/**
 * Inventory end to end on both backends: node-side Inventory → InventorySender (real HTTP, gzip, node token)
 * → merge → query API, changed-since, shadow endpoints, idempotency, and the OpenAPI export round trip
 * through the enforcement module's compiler and validator.
 */
import { gzipSync } from 'node:zlib';
import { Inventory, InventorySender } from '../../plugins/api-waf/discovery';
import { req } from '../../plugins/api-waf/discovery/testing';
import { loadOpenApi } from '../../plugins/api-waf/openapi/compile';
import { validateRequest } from '../../plugins/api-waf/openapi/validate';
import type { HttpRequest } from '../../lib/types';
import { NODE_TOKENS, startTestCollector, type TestCollector } from '../testing/collector';

interface EndpointJson {
  method: string; template: string; count: number; route_id: string | null; sensitive: string[]; shadow: boolean | null; new: boolean;
  first_seen: string;
  params: { in: string; name: string; count: number; types: Record<string, number>; formats: Record<string, number>; sensitive: string[]; new: boolean }[];
}

const ORDER_IDS = ['550e8400-e29b-41d4-a716-446655440000', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'];

function traffic(): HttpRequest[] {
  const out: HttpRequest[] = [];
  for (const id of [123, 456, 789]) out.push(req('GET', `/api/users/${id}?fields=name&limit=${id % 50}`, { headers: { 'x-api-version': '2', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' } }));
  for (const id of ORDER_IDS) out.push(req('GET', `/api/orders/${id}`));
  out.push(req('POST', '/api/orders', { json: { email: 'jane@example.com', card: '4111 1111 1111 1111', items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-2', qty: 1 }], note: null, total: 19.5 } }));
  out.push(req('POST', '/api/orders', { json: { email: 'joe@example.org', card: '5500000000000004', items: [{ sku: 'C-3', qty: 5 }], note: 'gift', total: 7 } }));
  out.push(req('POST', '/api/login', { form: 'username=jane&password=hunter2' }));
  out.push(req('GET', '/api/reports/2024-05-01?format=csv'));
  out.push(req('PUT', '/api/accounts/42/iban', { json: { iban: 'DE89370400440532013000' } }));
  return out;
}

const auth = (token = NODE_TOKENS['node-a']) => ({ Authorization: `Bearer ${token}` });

describe.each(['sqlite', 'postgres'] as const)('inventory on %s', (kind) => {
  let collector: TestCollector;
  beforeEach(async () => {
    collector = await startTestCollector(kind);
  });
  afterEach(async () => {
    await collector.close();
  });

  async function list(query = ''): Promise<EndpointJson[]> {
    const res = await collector.get(`/api/v1/inventory${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { endpoints: EndpointJson[] }).endpoints;
  }
  const find = (eps: EndpointJson[], method: string, template: string) => {
    const e = eps.find((x) => x.method === method && x.template === template);
    if (!e) throw new Error(`${method} ${template} missing from ${eps.map((x) => `${x.method} ${x.template}`).join(', ')}`);
    return e;
  };

  test('two nodes → one merged inventory with templates, types, formats and sensitive flags', async () => {
    for (const [node, token] of [['node-a', NODE_TOKENS['node-a']], ['node-b', NODE_TOKENS['node-b']]]) {
      const inv = new Inventory();
      for (const r of traffic()) inv.observe({ request: r, routeId: 'route-api', serviceId: 'svc-api' });
      const sender = new InventorySender(inv, { endpoint: collector.url, token, nodeId: node });
      await sender.flush();
      expect(sender.counters).toMatchObject({ batchesSent: 1, sendErrors: 0 });
    }
    const eps = await list();
    expect(eps.map((e) => `${e.method} ${e.template}`).sort()).toEqual([
      'GET /api/orders/{uuid}', 'GET /api/reports/{date}', 'GET /api/users/{id}', 'POST /api/login', 'POST /api/orders', 'PUT /api/accounts/{id}/iban',
    ]);
    const users = find(eps, 'GET', '/api/users/{id}');
    expect(users.count).toBe(6);
    const p = (e: EndpointJson, where: string, name: string) => e.params.find((x) => x.in === where && x.name === name);
    expect(p(users, 'path', 'id')).toMatchObject({ count: 6, types: { integer: 6 } });
    expect(p(users, 'query', 'limit')?.types).toEqual({ integer: 6 });
    expect(p(users, 'header', 'x-api-version')?.types).toEqual({ integer: 6 });
    expect(p(users, 'header', 'authorization')?.sensitive).toEqual(['jwt', 'bearer']);
    expect(users.sensitive).toEqual(['jwt', 'bearer']);
    expect(p(find(eps, 'GET', '/api/orders/{uuid}'), 'path', 'uuid')?.formats).toEqual({ uuid: 6 });
    const orders = find(eps, 'POST', '/api/orders');
    expect(orders.sensitive).toEqual(['email', 'card']);
    expect(p(orders, 'body', 'email')).toMatchObject({ formats: { email: 4 }, sensitive: ['email'] });
    expect(p(orders, 'body', 'items[].qty')?.types).toEqual({ integer: 6 });
    expect(p(orders, 'body', 'note')?.types).toEqual({ null: 2, string: 2 });
    expect(p(orders, 'body', 'total')?.types).toEqual({ number: 2, integer: 2 });
    expect(p(find(eps, 'POST', '/api/login'), 'body', 'password')?.sensitive).toEqual(['password']);
    expect(find(eps, 'PUT', '/api/accounts/{id}/iban').sensitive).toEqual(['iban']);
    expect(p(find(eps, 'GET', '/api/reports/{date}'), 'path', 'date')?.formats).toEqual({ date: 2 });
  });

  test('idempotent per batch id; invalid batches and missing tokens are refused', async () => {
    const inv = new Inventory();
    inv.observe({ request: req('GET', '/x/1'), routeId: 'r' });
    const batch = inv.drain('node-a');
    const post = (body: unknown, headers: Record<string, string> = auth()) =>
      fetch(`${collector.url}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers }, body: gzipSync(JSON.stringify(body)) });
    expect(await (await post(batch)).json()).toMatchObject({ duplicate: false, endpoints: 1 });
    expect(await (await post(batch)).json()).toMatchObject({ duplicate: true });
    expect(find(await list(), 'GET', '/x/{id}').count).toBe(1);
    expect((await post(batch, {})).status).toBe(401);
    const bad = await post({ ...batch, batch_id: 'nope', endpoints: [{ method: 'GET', template: 'no-slash', count: -1, first_seen: 'x', last_seen: 'y', params: [] }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('/batch_id');
    expect((await collector.get('/api/v1/inventory', {})).status).toBe(200); // loopback operator without admin token
  });

  test('changed since: new endpoints and new parameters only', async () => {
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const inv = new Inventory();
    const sender = new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' });
    inv.observe({ request: req('GET', '/old?a=1'), time: t0 });
    inv.observe({ request: req('GET', '/stable?a=1'), time: t0 });
    await sender.flush();
    const t1 = t0 + 86_400_000;
    inv.observe({ request: req('GET', '/old?a=1&b=2'), time: t1 });
    inv.observe({ request: req('GET', '/stable?a=2'), time: t1 });
    inv.observe({ request: req('GET', '/fresh'), time: t1 });
    await sender.flush();
    const changed = await list(`?since=${new Date(t1).toISOString()}`);
    expect(changed.map((e) => e.template).sort()).toEqual(['/fresh', '/old']);
    expect(find(changed, 'GET', '/fresh').new).toBe(true);
    const old = find(changed, 'GET', '/old');
    expect(old.new).toBe(false);
    expect(old.params.filter((x) => x.new).map((x) => x.name)).toEqual(['b']);
    expect((await collector.get('/api/v1/inventory?since=yesterday')).status).toBe(400);
  });

  test('shadow endpoints against an uploaded OpenAPI document', async () => {
    const inv = new Inventory();
    for (const r of traffic()) inv.observe({ request: r, routeId: 'route-api' });
    inv.observe({ request: req('GET', '/other/thing'), routeId: 'route-other' });
    await new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' }).flush();
    const yaml = [
      'openapi: 3.0.3', 'info: { title: t, version: "1" }', 'servers: [{ url: "https://api.example.test/api" }]', 'paths:',
      '  /users/{userId}: { get: { responses: { "200": { description: ok } } } }',
      '  /orders: { post: { responses: { "201": { description: ok } } } }',
    ].join('\n');
    const put = await fetch(`${collector.url}/api/v1/inventory/spec?route=route-api`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document: yaml }) });
    expect(await put.json()).toMatchObject({ scope: 'route:route-api', operations: 2, base_paths: ['/api'] });
    const eps = await list();
    expect(find(eps, 'GET', '/api/users/{id}').shadow).toBe(false);
    expect(find(eps, 'POST', '/api/orders').shadow).toBe(false);
    expect(find(eps, 'GET', '/api/orders/{uuid}').shadow).toBe(true);
    expect(find(eps, 'GET', '/other/thing').shadow).toBeNull();
    const shadow = (await (await collector.get('/api/v1/inventory/shadow')).json()) as { endpoints: EndpointJson[] };
    expect(shadow.endpoints.map((e) => `${e.method} ${e.template}`).sort()).toEqual([
      'GET /api/orders/{uuid}', 'GET /api/reports/{date}', 'POST /api/login', 'PUT /api/accounts/{id}/iban',
    ]);
    const bad = await fetch(`${collector.url}/api/v1/inventory/spec?route=r`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document: 'swagger: "2.0"' }) });
    expect(bad.status).toBe(400);
    const del = await fetch(`${collector.url}/api/v1/inventory/spec?route=route-api`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(find(await list(), 'GET', '/api/orders/{uuid}').shadow).toBeNull();
  });

  test('OpenAPI export: the enforcement module compiles it and accepts the traffic it came from', async () => {
    const inv = new Inventory();
    const requests = traffic();
    for (const r of requests) inv.observe({ request: r, routeId: 'route-api' });
    await new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' }).flush();
    const res = await collector.get('/api/v1/inventory/openapi?route=route-api');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string; schema: unknown }[]; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/users/{id}'].get.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'id', in: 'path', schema: { type: 'integer' } }),
      expect.objectContaining({ name: 'limit', in: 'query', schema: { type: 'integer' } }),
    ]));
    expect(doc.paths['/api/orders/{uuid}'].get.parameters[0]).toMatchObject({ name: 'uuid', schema: { type: 'string', format: 'uuid' } });
    const body = doc.paths['/api/orders'].post.requestBody?.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', properties: { email: { type: 'string', format: 'email' }, items: { type: 'array', items: { type: 'object', properties: { qty: { type: 'integer' } } } }, note: { type: ['string', 'null'] }, total: { type: 'number' } } });

    const loaded = loadOpenApi({ source: { text: JSON.stringify(doc) } });
    if (!loaded.ok) throw new Error(loaded.error);
    for (const r of requests) expect([`${r.method} ${r.path}`, validateRequest(loaded.api, r)]).toEqual([`${r.method} ${r.path}`, []]);
    // and it is a real contract: traffic of another shape is refused
    const wrong = validateRequest(loaded.api, req('POST', '/api/orders', { json: { email: 'not-an-email', items: 'x', total: 'free' } }));
    expect(wrong.map((v) => v.class)).toContain('invalid_body');
    expect(validateRequest(loaded.api, req('GET', '/api/users/abc')).map((v) => v.class)).toContain('invalid_parameter');
    expect(validateRequest(loaded.api, req('GET', '/api/unknown')).map((v) => v.class)).toEqual(['unknown_endpoint']);
  });
});
