/**
 * Positive security end to end (issue #11): OpenAPI enforcement per violation class and mode, false-positive
 * exceptions and virtual patches — configured ONLY through the Admin API, traffic ONLY through the proxy.
 * The document is inline so the same suite runs against real Kong.
 */
import { startE2eGateway, type E2eGateway } from './harness';

jest.setTimeout(90_000);

let gw: E2eGateway;
const run = Date.now().toString(36);
let serviceId = '';

async function admin(method: string, p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(gw.adminUrl + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function routeWithWaf(name: string, config: Record<string, unknown>): Promise<string> {
  const prefix = `/${name}-${run}`;
  const route = await admin('POST', `/services/${serviceId}/routes`, { name: `${name}-${run}`, paths: [prefix] });
  if (route.status !== 201) throw new Error(JSON.stringify(route.json));
  const plugin = await admin('POST', `/routes/${route.json.id}/plugins`, { name: 'api-waf', config: { greylisting: { enabled: false }, ...config } });
  if (plugin.status !== 201) throw new Error(JSON.stringify(plugin.json));
  return prefix;
}

/** The demo upstream's order API as a contract (paths as the plugin sees them, under the route prefix). */
const doc = (basePath: string): string =>
  JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'orders', version: '1.0.0' },
    servers: [{ url: basePath }],
    paths: {
      '/orders': {
        get: {
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }],
          responses: { '200': { description: 'ok' } },
        },
        post: {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['item', 'quantity'],
                  properties: { item: { type: 'string', maxLength: 64 }, quantity: { type: 'integer', minimum: 1 }, note: { type: 'string' } },
                },
              },
            },
          },
          responses: { '201': { description: 'created' } },
        },
      },
      '/users/{id}': {
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'x-tenant', in: 'header', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  });

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  gw = await startE2eGateway();
  const service = await admin('POST', '/services', { name: `pos-${run}`, url: gw.upstreamUrl });
  serviceId = service.json.id as string;
});

afterAll(async () => {
  await gw?.stop();
});

describe('OpenAPI enforcement', () => {
  let blockP = '';
  let monitorP = '';
  beforeAll(async () => {
    blockP = await routeWithWaf('oa-block', { mode: 'block', openapi: { enabled: true, spec_inline: doc(`/oa-block-${run}`) } });
    monitorP = await routeWithWaf('oa-mon', { mode: 'monitoring', openapi: { enabled: true, spec_inline: doc(`/oa-mon-${run}`) } });
  });

  test('conforming requests pass', async () => {
    expect((await fetch(`${gw.proxyUrl}${blockP}/orders?limit=10`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${blockP}/orders`, json({ item: 'book', quantity: 2 }))).status).toBe(201);
    expect((await fetch(`${gw.proxyUrl}${blockP}/users/1`, { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
  });

  test('block: each violation class is blocked (mass assignment, wrong types, undeclared endpoints and parameters)', async () => {
    const cases: Array<[string, Promise<Response>]> = [
      ['invalid_body (additionalProperties)', fetch(`${gw.proxyUrl}${blockP}/orders`, json({ item: 'book', quantity: 2, is_admin: true }))],
      ['invalid_body (type)', fetch(`${gw.proxyUrl}${blockP}/orders`, json({ item: 'book', quantity: 'two' }))],
      ['unknown_endpoint', fetch(`${gw.proxyUrl}${blockP}/admin/export`)],
      ['unknown_parameter', fetch(`${gw.proxyUrl}${blockP}/orders?debug=1`)],
      ['invalid_parameter', fetch(`${gw.proxyUrl}${blockP}/orders?limit=1000`)],
      ['missing_parameter', fetch(`${gw.proxyUrl}${blockP}/users/7`)],
      ['wrong_content_type', fetch(`${gw.proxyUrl}${blockP}/orders`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'item=book' })],
    ];
    for (const [name, res] of cases) expect({ name, status: (await res).status }).toEqual({ name, status: 403 });
  });

  test('monitoring: the same violation only reports', async () => {
    expect((await fetch(`${gw.proxyUrl}${monitorP}/orders`, json({ item: 'book', quantity: 2, is_admin: true }))).status).toBe(201);
  });

  test('a class set to report or ignore does not block', async () => {
    const p = await routeWithWaf('oa-policy', {
      mode: 'block',
      openapi: { enabled: true, spec_inline: doc(`/oa-policy-${run}`), on_violation: { unknown_parameter: 'report', unknown_endpoint: 'ignore' } },
    });
    expect((await fetch(`${gw.proxyUrl}${p}/orders?debug=1`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${p}/users`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${p}/orders?limit=0`)).status).toBe(403);
  });

  test('a broken document is refused at Admin API time on the local gateway; on Kong it fails per fail_mode', async () => {
    const route = await admin('POST', `/services/${serviceId}/routes`, { name: `oa-broken-${run}`, paths: [`/oa-broken-${run}`] });
    const broken = '{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"parameters":[{"$ref":"#/nope"}],"responses":{"200":{"description":"ok"}}}}}}';
    const res = await admin('POST', `/routes/${route.json.id}/plugins`, { name: 'api-waf', config: { mode: 'block', fail_mode: 'closed', openapi: { enabled: true, spec_inline: broken } } });
    if (gw.local) {
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json.fields)).toContain('does not resolve');
    } else {
      expect(res.status).toBe(201);
      expect((await fetch(`${gw.proxyUrl}/oa-broken-${run}/a`)).status).toBe(503);
    }
  });
});

describe('false-positive exceptions and virtual patches', () => {
  test('an exception silences a detector only at its point', async () => {
    const snippet = "x' UNION SELECT password FROM users--";
    const p = await routeWithWaf('exc', {
      mode: 'block',
      exceptions: [{ id: 'sql-docs', path: '/exc-*/**', point: 'body.json.*.code', attack_types: ['sqli'] }],
    });
    // a security-training site posting injection examples: allowed at body.json.<n>.code …
    expect((await fetch(`${gw.proxyUrl}${p}/orders`, json({ snippet: { code: snippet } }))).status).toBe(201);
    // … but the same payload anywhere else is still blocked
    expect((await fetch(`${gw.proxyUrl}${p}/orders`, json({ snippet: { title: snippet } }))).status).toBe(403);
    expect((await fetch(`${gw.proxyUrl}${p}/orders?q=${encodeURIComponent(snippet)}`)).status).toBe(403);
  });

  test('a virtual patch blocks a crafted payload no detector knows', async () => {
    const p = await routeWithWaf('vpatch', {
      mode: 'block',
      custom_rules: [{ id: 'cve-demo-1', path: '/vpatch-*/**', point: 'header.x-legacy-cmd', match: 're2', value: '^!exec\\s+[a-z]+' }],
    });
    expect((await fetch(`${gw.proxyUrl}${p}/users/1`, { headers: { 'x-legacy-cmd': 'status' } })).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${p}/users/1`, { headers: { 'x-legacy-cmd': '!exec reboot' } })).status).toBe(403);
  });
});
