/**
 * API discovery end to end (issue #11): traffic through the proxy builds the inventory on the node, the
 * collector merges it, its OpenAPI export is put back on the same route through the Admin API, and the same
 * traffic then passes enforcement cleanly while an undeclared endpoint is blocked.
 * Needs a collector the gateway reports to: the local gateway's own (harness `withCollector`), or for real
 * Kong COLLECTOR_URL + COLLECTOR_NODE_TOKEN (+ COLLECTOR_URL_FROM_KONG when Kong sees it under another name).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startE2eGateway, type E2eGateway } from './harness';

jest.setTimeout(120_000);

let gw: E2eGateway;
const run = Date.now().toString(36);
const prefix = `/disc-${run}`;
let routeId = '';
let pluginId = '';

async function admin(method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(gw.adminUrl + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Benign browsing requests from the shared dev corpus (paths and queries only), when it is there. */
function corpusGets(limit: number): string[] {
  const candidates = [process.env.KAS_CORPUS_DIR ?? '', path.resolve(__dirname, '../../../shared/corpus'), '/work/shared/corpus'];
  const dir = candidates.find((d) => d && fs.existsSync(path.join(d, 'benign-browsing-dev.jsonl.gz')));
  if (!dir) return [];
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'benign-browsing-dev.jsonl.gz'))).toString('utf8').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= limit) break;
    if (!line) continue;
    const r = JSON.parse(line) as { method: string; url: string };
    if (r.method === 'GET' && r.url.length < 300) out.push(r.url);
  }
  return out;
}

/** The API traffic the inventory should learn: ids, a query parameter, a JSON body with an email. */
async function apiTraffic(): Promise<number[]> {
  const statuses: number[] = [];
  for (const id of [1, 2, 1, 2, 1]) statuses.push((await fetch(`${gw.proxyUrl}${prefix}/users/${id}`)).status);
  for (const limit of [5, 10, 20]) statuses.push((await fetch(`${gw.proxyUrl}${prefix}/orders?limit=${limit}`)).status);
  for (const [item, quantity] of [['book', 1], ['pen', 3]] as const) {
    const res = await fetch(`${gw.proxyUrl}${prefix}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item, quantity, contact: 'buyer@example.com' }),
    });
    statuses.push(res.status);
  }
  return statuses;
}

const collector = (): { url: string; token: string } | null => {
  if (gw.local && gw.collectorUrl) return { url: gw.collectorUrl, token: 'local-dev-token-change-me' };
  if (process.env.COLLECTOR_URL && process.env.COLLECTOR_NODE_TOKEN) return { url: process.env.COLLECTOR_URL, token: process.env.COLLECTOR_NODE_TOKEN };
  return null;
};

beforeAll(async () => {
  gw = await startE2eGateway({ withCollector: true });
});

afterAll(async () => {
  await gw?.stop();
});

test('traffic → inventory at the collector → OpenAPI export → enforced cleanly on the same traffic', async () => {
  const c = collector();
  if (!c) return;
  const service = await admin('POST', '/services', { name: `disc-${run}`, url: gw.upstreamUrl });
  const route = await admin('POST', `/services/${service.id}/routes`, { name: `disc-${run}`, paths: [prefix] });
  routeId = route.id as string;
  const plugin = await admin('POST', `/routes/${routeId}/plugins`, {
    name: 'api-waf',
    config: {
      mode: 'monitoring',
      greylisting: { enabled: false },
      discovery: { enabled: true, flush_interval_s: 1 },
      reporting: { collector_url: process.env.COLLECTOR_URL_FROM_KONG ?? c.url, token: c.token },
    },
  });
  pluginId = plugin.id as string;

  expect(await apiTraffic()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 201, 201]);
  // (the demo upstream knows users 1 and 2; every request above reaches it)
  const corpus = corpusGets(150);
  for (const url of corpus) await fetch(`${gw.proxyUrl}${prefix}${url.startsWith('/') ? url : `/${url}`}`);

  // the node flushes every second; the collector merges
  type Endpoint = { method: string; template: string; params: Array<{ in: string; name: string; types?: unknown; formats?: unknown; sensitive: string[] }>; sensitive: string[] };
  let endpoints: Endpoint[] = [];
  const find = (m: string, t: string): Endpoint | undefined => endpoints.find((e) => e.method === m && e.template === t);
  for (let i = 0; i < 60 && !(find('GET', `${prefix}/users/{id}`) && find('POST', `${prefix}/orders`)); i++) {
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${c.url}/api/v1/inventory?route=${routeId}`);
    endpoints = ((await res.json()) as { endpoints: Endpoint[] }).endpoints ?? [];
  }
  // the corpus requests were sent after the API ones: wait until the merged inventory stops growing
  // (two polls a flush interval apart agree) so the export covers everything that was sent
  for (let i = 0, last = -1; i < 20 && endpoints.length !== last; i++) {
    last = endpoints.length;
    await new Promise((r) => setTimeout(r, 1500));
    endpoints = ((await (await fetch(`${c.url}/api/v1/inventory?route=${routeId}`)).json()) as { endpoints: Endpoint[] }).endpoints ?? [];
  }
  const users = find('GET', `${prefix}/users/{id}`);
  expect(users).toBeDefined();
  expect(JSON.stringify(users!.params.find((p) => p.in === 'path'))).toContain('integer');
  const orders = find('POST', `${prefix}/orders`);
  expect(orders).toBeDefined();
  const contact = orders!.params.find((p) => p.name.endsWith('contact'));
  expect(contact?.sensitive).toContain('email');
  expect(JSON.stringify(find('GET', `${prefix}/orders`)?.params.find((p) => p.name === 'limit'))).toContain('integer');
  // ids were collapsed: no literal numeric segment survives as an endpoint of its own
  expect(endpoints.some((e) => /\/users\/\d+$/.test(e.template))).toBe(false);

  const exported = await fetch(`${c.url}/api/v1/inventory/openapi?route=${routeId}`);
  expect(exported.status).toBe(200);
  const doc = await exported.text();
  expect(JSON.parse(doc).openapi).toMatch(/^3\.1/);

  // the export becomes the route's contract, in block mode
  await admin('PATCH', `/plugins/${pluginId}`, {
    config: { mode: 'block', discovery: { enabled: false }, openapi: { enabled: true, spec_inline: doc } },
  });
  expect(await apiTraffic()).toEqual(expect.not.arrayContaining([403]));
  let blockedCorpus = 0;
  for (const url of corpus) if ((await fetch(`${gw.proxyUrl}${prefix}${url.startsWith('/') ? url : `/${url}`}`)).status === 403) blockedCorpus++;
  expect(blockedCorpus).toBe(0);
  // what the contract does not know is refused
  expect((await fetch(`${gw.proxyUrl}${prefix}/admin/export`)).status).toBe(403);
  expect((await fetch(`${gw.proxyUrl}${prefix}/users/abc`)).status).toBe(403);
});
