import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadOpenApi, type CompiledApi } from './compile';
import type { Violation } from './types';
import { validateRequest, type OpenApiRequest } from './validate';

const FIXTURES = path.join(__dirname, '../../../spec/fixtures/openapi');
const TENANT = { 'x-tenant': 'acme-eu' };
const ORDER_ID = '0b7c7b8e-3c2a-4a41-8a53-2b1f0d6b9e11';

function load(file: string, basePath?: string): CompiledApi {
  const r = loadOpenApi({ source: { file: path.join(FIXTURES, file) }, basePath });
  if (!r.ok) throw new Error(r.error);
  return r.api;
}

function req(method: string, p: string, opts: Partial<OpenApiRequest> & { json?: unknown; form?: string } = {}): OpenApiRequest {
  const headers: Record<string, string> = { ...TENANT, ...(opts.headers as Record<string, string>) };
  let body = opts.body ?? null;
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    headers['content-type'] ??= 'application/json';
  }
  if (opts.form !== undefined) {
    body = Buffer.from(opts.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  return { method, path: p, query: opts.query ?? '', headers, body };
}

const only = (vs: Violation[]): Violation => {
  expect(vs).toHaveLength(1);
  return vs[0];
};

const goodOrder = { customer: { email: 'dana@example.com' }, items: [{ sku: 'SKU-1', qty: 2, price: { amount: 9.5, currency: 'EUR' } }] };

describe.each([['orders-3.0.yaml', '/v1'], ['orders-3.1.yaml', '/v2']])('%s', (file, base) => {
  const api = load(file);

  it('takes the base path from servers and accepts valid requests', () => {
    expect(api.basePaths).toEqual([base]);
    expect(validateRequest(api, req('GET', `${base}/orders`, { query: 'limit=10&status=open' }))).toEqual([]);
    expect(validateRequest(api, req('POST', `${base}/orders`, { json: goodOrder }))).toEqual([]);
    expect(validateRequest(api, req('GET', `${base}/orders/${ORDER_ID}`))).toEqual([]);
  });

  it('unknown_endpoint: path, method, base path', () => {
    expect(only(validateRequest(api, req('GET', `${base}/invoices`))).class).toBe('unknown_endpoint');
    const m = only(validateRequest(api, req('PUT', `${base}/orders`)));
    expect(m).toMatchObject({ class: 'unknown_endpoint', point: 'method', rule: 'openapi.unknown_endpoint' });
    expect(m.reason).toContain('declared: GET, POST');
    expect(only(validateRequest(api, req('GET', '/orders'))).reason).toContain("not under the API's base path");
  });

  it('missing_parameter: a required header from a parameter in another file', () => {
    const v = only(validateRequest(api, { ...req('GET', `${base}/orders`), headers: {} }));
    expect(v).toMatchObject({ class: 'missing_parameter', point: 'header.x-tenant' });
    expect(v.reason).toBe('header.x-tenant: required parameter is missing (schema shared/common.yaml#/parameters/Tenant)');
  });

  it('invalid_parameter: bounds, with the schema location', () => {
    const v = only(validateRequest(api, req('GET', `${base}/orders`, { query: 'limit=500' })));
    expect(v).toMatchObject({ class: 'invalid_parameter', point: 'query.limit', operation: 'listOrders' });
    expect(v.reason).toBe('query.limit: must be <= 100 (schema shared/common.yaml#/parameters/Limit/schema/maximum)');
    expect(only(validateRequest(api, req('GET', `${base}/orders`, { query: 'limit=ten' }))).reason).toContain('must be integer');
    expect(only(validateRequest(api, req('GET', `${base}/orders`, { headers: { 'x-tenant': 'ACME!' } }))).point).toBe('header.x-tenant');
  });

  it('invalid_parameter: formats in path parameters', () => {
    const v = only(validateRequest(api, req('GET', `${base}/orders/123`)));
    expect(v).toMatchObject({ class: 'invalid_parameter', point: 'path.id' });
    expect(v.reason).toContain('must be a valid uuid');
  });

  it('unknown_parameter: undeclared query parameters', () => {
    const v = only(validateRequest(api, req('GET', `${base}/orders`, { query: 'limit=5&debug=1' })));
    expect(v).toMatchObject({ class: 'unknown_parameter', point: 'query.debug' });
  });

  it('invalid_body: additionalProperties, required, nested points', () => {
    const extra = only(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, admin: true } })));
    expect(extra).toMatchObject({ class: 'invalid_body', point: 'body.json.admin' });
    expect(extra.reason).toContain('additionalProperties: false');
    expect(only(validateRequest(api, req('POST', `${base}/orders`, { json: { items: goodOrder.items } }))).point).toBe('body.json.customer');
    const qty = only(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, items: [{ sku: 'SKU-1', qty: 0 }] } })));
    expect(qty.point).toBe('body.json.items.0.qty');
    expect(qty.reason).toMatch(/must be > 0 \(schema #\/components\/schemas\/Item\/properties\/qty\/exclusiveMinimum\)/);
    const email = only(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, customer: { email: 'not-an-email' } } })));
    expect(email.point).toBe('body.json.customer.email');
    expect(email.reason).toContain('must be a valid email');
  });

  it('invalid_body: schemas in a whole-file $ref (shared/address.yaml via shared/common.yaml)', () => {
    const v = only(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, shipping: { line1: 'Main St 1', country: 'usa' } } })));
    expect(v.point).toBe('body.json.shipping.country');
    expect(v.reason).toContain('(schema shared/address.yaml#/properties/country/pattern)');
  });

  it('nullable (3.0) and type lists with null (3.1)', () => {
    expect(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, note: null } }))).toEqual([]);
    expect(only(validateRequest(api, req('POST', `${base}/orders`, { json: { ...goodOrder, note: 5 } }))).point).toBe('body.json.note');
  });

  it('invalid_body and wrong_content_type: missing body, wrong media type', () => {
    expect(only(validateRequest(api, req('POST', `${base}/orders`)))).toMatchObject({ class: 'invalid_body', point: 'body' });
    const ct = only(validateRequest(api, req('POST', `${base}/orders`, { body: Buffer.from('<order/>'), headers: { 'content-type': 'application/xml' } })));
    expect(ct).toMatchObject({ class: 'wrong_content_type', point: 'header.content-type' });
    expect(only(validateRequest(api, req('GET', `${base}/orders`, { json: {} }))).reason).toContain('takes no request body');
    const bad = only(validateRequest(api, req('POST', `${base}/orders`, { body: Buffer.from('{"customer":'), headers: { 'content-type': 'application/json' } })));
    expect(bad).toMatchObject({ class: 'invalid_body', point: 'body.json' });
  });

  it('path items referenced from another file, with file-local refs and +json media types', () => {
    expect(validateRequest(api, req('PATCH', `${base}/users/7`, { json: { name: 'Dana' }, headers: { 'content-type': 'application/merge-patch+json' } }))).toEqual([]);
    const v = only(validateRequest(api, req('PATCH', `${base}/users/7`, { json: { role: 'admin' }, headers: { 'content-type': 'application/merge-patch+json' } })));
    expect(v).toMatchObject({ class: 'invalid_body', point: 'body.json.role', operation: 'patchUser' });
    expect(only(validateRequest(api, req('GET', `${base}/users/0`))).point).toBe('path.userId');
  });
});

describe('3.0 document details', () => {
  const api = load('orders-3.0.yaml');

  it('concrete paths win over templates', () => {
    const v = only(validateRequest(api, req('GET', '/v1/orders/search')));
    expect(v).toMatchObject({ class: 'missing_parameter', point: 'query.q', operation: 'searchOrders' });
  });

  it('style/explode: form arrays (exploded and not), deepObject, exploded form objects, simple headers', () => {
    expect(validateRequest(api, req('GET', '/v1/orders', { query: 'tag=a&tag=b&ids=1,2,3' }))).toEqual([]);
    expect(only(validateRequest(api, req('GET', '/v1/orders', { query: 'ids=1,2,x' }))).point).toBe('query.ids.2');
    expect(only(validateRequest(api, req('GET', '/v1/orders', { query: 'ids=1,2,3,4,5,6' }))).reason).toContain('must NOT have more than 5 items');
    expect(validateRequest(api, req('GET', '/v1/orders', { query: 'filter[customer]=a%40b.co&filter[min_total]=3' }))).toEqual([]);
    expect(only(validateRequest(api, req('GET', '/v1/orders', { query: 'filter[min_total]=-1' }))).point).toBe('query.filter.min_total');
    expect(only(validateRequest(api, req('GET', '/v1/orders', { query: 'filter[admin]=1' }))).point).toBe('query.filter.admin');
    expect(validateRequest(api, req('GET', '/v1/orders/search', { query: 'q=shoes&offset=10&size=20' }))).toEqual([]);
    expect(only(validateRequest(api, req('GET', '/v1/orders/search', { query: 'q=shoes&size=99' }))).point).toBe('query.page.size');
    const item = `/v1/orders/${ORDER_ID}/items/2`;
    expect(validateRequest(api, req('GET', item, { headers: { 'x-fields': 'sku, qty' } }))).toEqual([]);
    expect(only(validateRequest(api, req('GET', item, { headers: { 'x-fields': 'sku,cost' } }))).point).toBe('header.x-fields.1');
    expect(only(validateRequest(api, req('GET', `/v1/orders/${ORDER_ID}/items/-1`))).point).toBe('path.n');
  });

  it('a primitive query parameter given twice is invalid', () => {
    expect(only(validateRequest(api, req('GET', '/v1/orders', { query: 'limit=1&limit=100000' }))).reason).toContain('given 2 times');
  });

  it('cookies and path templates with several parameters in one segment', () => {
    expect(only(validateRequest(api, req('DELETE', `/v1/orders/${ORDER_ID}`)))).toMatchObject({ class: 'missing_parameter', point: 'cookie.session' });
    expect(validateRequest(api, req('DELETE', `/v1/orders/${ORDER_ID}`, { headers: { cookie: 'theme=dark; session=0123456789' } }))).toEqual([]);
    expect(validateRequest(api, req('GET', '/v1/files/q3-report.pdf'))).toEqual([]);
    expect(only(validateRequest(api, req('GET', '/v1/files/q3-report.exe'))).point).toBe('path.ext');
  });

  it('form bodies: coercion, encoding style, undeclared fields', () => {
    expect(validateRequest(api, req('POST', '/v1/orders', { form: 'sku=SKU-9&qty=2&gift=true&tags=a,b' }))).toEqual([]);
    expect(only(validateRequest(api, req('POST', '/v1/orders', { form: 'sku=SKU-9&qty=two' })))).toMatchObject({ class: 'invalid_body', point: 'body.form.qty' });
    expect(only(validateRequest(api, req('POST', '/v1/orders', { form: 'sku=SKU-9&qty=1&tags=a,b,c,d' }))).point).toBe('body.form.tags');
    expect(only(validateRequest(api, req('POST', '/v1/orders', { form: 'sku=SKU-9&qty=1&role=admin' }))).point).toBe('body.form.role');
  });

  it('recursive schemas validate at depth; absurd nesting is an answer, not a crash', () => {
    const deep = { name: 'a', children: [{ name: 'b', children: [{ name: 'c', children: [{ name: 42 }] }] }] };
    expect(only(validateRequest(api, req('POST', '/v1/categories', { json: deep }))).point).toBe('body.json.children.0.children.0.children.0.name');
    const depth = 20000;
    const nested = `${'{"name":"n","children":['.repeat(depth)}{"name":"leaf"}${']}'.repeat(depth)}`;
    const v = validateRequest(api, req('POST', '/v1/categories', { body: Buffer.from(nested), headers: { 'content-type': 'application/json' } }));
    expect(v.every((x) => x.class === 'invalid_body')).toBe(true);
  });

  it('media ranges: text/* accepts text/plain; gzip bodies are decompressed', () => {
    expect(validateRequest(api, req('POST', '/v1/categories', { body: Buffer.from('hello'), headers: { 'content-type': 'text/plain; charset=utf-8' } }))).toEqual([]);
    const gz = gzipSync(Buffer.from(JSON.stringify({ name: 7 })));
    const v = only(validateRequest(api, req('POST', '/v1/categories', { body: gz, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })));
    expect(v.point).toBe('body.json.name');
  });

  it('a configured base_path replaces the servers', () => {
    const mounted = load('orders-3.0.yaml', '/shop/api/');
    expect(mounted.basePaths).toEqual(['/shop/api']);
    expect(validateRequest(mounted, req('GET', '/shop/api/orders'))).toEqual([]);
    expect(only(validateRequest(mounted, req('GET', '/v1/orders'))).class).toBe('unknown_endpoint');
  });

  it('stops at maxViolations', () => {
    const q = Array.from({ length: 40 }, (_, i) => `x${i}=1`).join('&');
    expect(validateRequest(api, req('GET', '/v1/orders', { query: q }), { maxViolations: 5 })).toHaveLength(5);
  });
});
