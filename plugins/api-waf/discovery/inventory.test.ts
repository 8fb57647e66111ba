import { Inventory } from './inventory';
import { req } from './testing';
import type { InventoryBatch, WireEndpoint } from './wire';

const scope = { routeId: 'r-1', serviceId: 's-1' };
const find = (b: InventoryBatch | null, method: string, template: string): WireEndpoint => {
  const e = b?.endpoints.find((x) => x.method === method && x.template === template);
  if (!e) throw new Error(`no ${method} ${template} in ${JSON.stringify(b?.endpoints.map((x) => `${x.method} ${x.template}`))}`);
  return e;
};
const param = (e: WireEndpoint, where: string, name: string) => {
  const p = e.params.find((x) => x.in === where && x.name === name);
  if (!p) throw new Error(`no ${where}.${name} in ${JSON.stringify(e.params.map((x) => `${x.in}.${x.name}`))}`);
  return p;
};

describe('Inventory', () => {
  test('templates, parameters by place, types, formats and sensitive flags', () => {
    const inv = new Inventory();
    inv.observe({ ...scope, request: req('GET', '/users/123?expand=true&limit=10', { headers: { 'x-tenant': 'acme', cookie: 'sid=abc; theme=dark' } }) });
    inv.observe({ ...scope, request: req('GET', '/users/456?limit=20', { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' } }) });
    inv.observe({ ...scope, request: req('POST', '/orders', { json: { email: 'a@example.com', card: '4111111111111111', qty: 2, price: 9.5, gift: false, items: [{ sku: 'A1', n: 1 }], note: null, password: 'pw' } }) });
    inv.observe({ ...scope, request: req('POST', '/login', { form: 'user=bob&passwd=x&iban=DE89370400440532013000' }) });
    const b = inv.drain('node-1');
    expect(b?.endpoints).toHaveLength(3);
    const users = find(b, 'GET', '/users/{id}');
    expect(users).toMatchObject({ count: 2, route_id: 'r-1', service_id: 's-1', hosts: ['api.example.test'], content_types: { none: 2 } });
    expect(param(users, 'path', 'id')).toMatchObject({ count: 2, types: { integer: 2 }, distinct: 2 });
    expect(param(users, 'query', 'limit').types).toEqual({ integer: 2 });
    expect(param(users, 'query', 'expand')).toMatchObject({ count: 1, types: { boolean: 1 } });
    expect(param(users, 'header', 'x-tenant').types).toEqual({ string: 1 });
    expect(param(users, 'header', 'authorization').sensitive).toEqual(['jwt', 'bearer']);
    expect(param(users, 'cookie', 'sid').count).toBe(1);
    expect(users.params.some((p) => p.name === 'user-agent' || p.name === 'host' || p.name === 'accept')).toBe(false);

    const orders = find(b, 'POST', '/orders');
    expect(orders.content_types).toEqual({ json: 1 });
    expect(param(orders, 'body', '$').types).toEqual({ object: 1 });
    expect(param(orders, 'body', 'email')).toMatchObject({ types: { string: 1 }, formats: { email: 1 }, sensitive: ['email'] });
    expect(param(orders, 'body', 'card').sensitive).toEqual(['card']);
    expect(param(orders, 'body', 'qty').types).toEqual({ integer: 1 });
    expect(param(orders, 'body', 'price').types).toEqual({ number: 1 });
    expect(param(orders, 'body', 'gift').types).toEqual({ boolean: 1 });
    expect(param(orders, 'body', 'note').types).toEqual({ null: 1 });
    expect(param(orders, 'body', 'items').types).toEqual({ array: 1 });
    expect(param(orders, 'body', 'items[]').types).toEqual({ object: 1 });
    expect(param(orders, 'body', 'items[].sku').types).toEqual({ string: 1 });
    expect(param(orders, 'body', 'password').sensitive).toEqual(['password']);

    const login = find(b, 'POST', '/login');
    expect(login.content_types).toEqual({ form: 1 });
    expect(param(login, 'body', 'passwd').sensitive).toEqual(['password']);
    expect(param(login, 'body', 'iban').sensitive).toEqual(['iban']);
  });

  test('a mixed parameter is reported as a histogram', () => {
    const inv = new Inventory();
    for (const v of ['1', '2', 'abc', '550e8400-e29b-41d4-a716-446655440000']) inv.observe({ ...scope, request: req('GET', `/search?q=${v}`) });
    const q = param(find(inv.drain('n'), 'GET', '/search'), 'query', 'q');
    expect(q.types).toEqual({ integer: 2, string: 2 });
    expect(q.formats).toEqual({ uuid: 1 });
  });

  test('drain returns deltas: counts since the last drain, null when idle', () => {
    const inv = new Inventory();
    inv.observe({ ...scope, request: req('GET', '/a/1'), time: 1000 });
    inv.observe({ ...scope, request: req('GET', '/a/2'), time: 2000 });
    const first = find(inv.drain('n'), 'GET', '/a/{id}');
    expect(first).toMatchObject({ count: 2, first_seen: new Date(1000).toISOString(), last_seen: new Date(2000).toISOString() });
    expect(inv.drain('n')).toBeNull();
    inv.observe({ ...scope, request: req('GET', '/a/3'), time: 3000 });
    expect(find(inv.drain('n'), 'GET', '/a/{id}').count).toBe(1);
  });

  test('routes and methods are separate endpoints', () => {
    const inv = new Inventory();
    inv.observe({ routeId: 'r-1', serviceId: null, request: req('GET', '/x') });
    inv.observe({ routeId: 'r-2', serviceId: null, request: req('GET', '/x') });
    inv.observe({ routeId: 'r-2', serviceId: null, request: req('DELETE', '/x') });
    expect(inv.drain('n')?.endpoints.map((e) => `${e.route_id} ${e.method} ${e.template}`).sort()).toEqual(['r-1 GET /x', 'r-2 DELETE /x', 'r-2 GET /x']);
  });

  test('too many distinct literals at one position collapse into {param}, merging what was learned', () => {
    const inv = new Inventory({ maxLiteralsPerPosition: 5 });
    for (let i = 0; i < 5; i++) inv.observe({ ...scope, request: req('GET', `/articles/post-${'abcdefgh'[i]}?ref=x`) });
    expect(inv.endpointCount).toBe(5);
    for (let i = 0; i < 10; i++) inv.observe({ ...scope, request: req('GET', `/articles/story-${i}-x/comments`) });
    inv.observe({ ...scope, request: req('GET', '/articles/another') });
    const b = inv.drain('n');
    const merged = find(b, 'GET', '/articles/{param}');
    expect(merged.count).toBe(6);
    expect(param(merged, 'path', 'param')).toMatchObject({ count: 6, types: { string: 6 } });
    expect(param(merged, 'query', 'ref').count).toBe(5);
    expect(find(b, 'GET', '/articles/{param}/comments').count).toBe(10);
    expect(inv.endpointCount).toBe(2);
  });

  test('memory caps hold under a flood of distinct paths and parameters, and are counted', () => {
    const inv = new Inventory({ maxEndpoints: 50, maxParamsPerEndpoint: 10, maxDistinct: 8 });
    for (let i = 0; i < 5000; i++) inv.observe({ ...scope, request: req('GET', `/flood${i}?p${i % 40}=${i}`) });
    for (let i = 0; i < 500; i++) inv.observe({ ...scope, request: req('GET', `/flood0?p0=${i}`) });
    expect(inv.endpointCount).toBe(50);
    const capped = inv.cappedCounts();
    expect(capped.endpoints).toBe(4950);
    const b = inv.drain('n');
    expect(b?.endpoints).toHaveLength(50);
    expect(b?.capped.endpoints).toBe(4950);
    const p0 = param(find(b, 'GET', '/flood0'), 'query', 'p0');
    expect(p0).toMatchObject({ count: 501, distinct: 8, distinct_capped: true });

    const wide = new Inventory({ maxParamsPerEndpoint: 10 });
    for (let i = 0; i < 100; i++) wide.observe({ ...scope, request: req('GET', `/w?k${i}=1`) });
    const w = find(wide.drain('n'), 'GET', '/w');
    expect(w.params).toHaveLength(10);
    expect(w.params_capped).toBe(90);
  });

  test('hostile input never throws: deep JSON, bad JSON, binary, odd paths', () => {
    const inv = new Inventory();
    const deep = req('POST', '/deep', { json: {} });
    deep.body = Buffer.from(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    const bad = req('POST', '/j', { json: {} });
    bad.body = Buffer.from('{"a":');
    inv.observe({ ...scope, request: deep });
    inv.observe({ ...scope, request: bad });
    inv.observe({ ...scope, request: { method: 'GET', path: '/x/%E0%A4%A', query: '%%%&=&a', headers: { cookie: ';;=;a' }, body: null } });
    inv.observe({ ...scope, request: { method: 'PUT', path: 'no-slash', query: '', headers: {}, body: new Uint8Array([0xff, 0xfe, 0]) } });
    const b = inv.drain('n');
    expect(b?.endpoints.length).toBe(4);
    expect(inv.cappedCounts().body_invalid_json).toBe(1);
    expect(inv.cappedCounts().error).toBeUndefined();
    const deepParams = find(b, 'POST', '/deep').params.map((p) => p.name);
    expect(Math.max(...deepParams.map((n) => n.split('.').length))).toBeLessThanOrEqual(8);
  });
});
