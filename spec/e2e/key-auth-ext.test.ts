/**
 * key-auth-ext end to end: the built plugin in the real kong-js-pluginserver behind the gateway.
 * Configuration ONLY through the Admin API, traffic ONLY to the proxy. Two gateways (two
 * pluginserver processes, like two Kong nodes sharing one database) share lockouts through Redis.
 * A small HTTP sink plays the collector to check the reported events. Needs `npm run build`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import Redis from 'ioredis';
import { startE2eGateway, type E2eGateway } from './harness';
import { formatKeyHash } from '../../plugins/key-auth-ext/keys';

jest.setTimeout(120_000);

const PEPPER_ENV = 'KAE_E2E_PEPPER';
const PEPPER = `pepper-${randomUUID()}`;
process.env[PEPPER_ENV] = PEPPER; // inherited by the pluginserver processes

const ALICE_KEY = `kas_alice-${randomUUID()}`;
const ALICE_HMAC_KEY = `kas_alice-hmac-${randomUUID()}`;
const OLD_KEY = `kas_old-${randomUUID()}`;
const PLUGIN_ID = randomUUID(); // same entity id on both nodes, as with a shared Kong database
const REDIS_PREFIX = `kas-e2e-${randomUUID()}`;

interface SinkBatch {
  events: { kind: string; rule: string; status: number; client_ip: string; plugin: string; findings: { excerpt?: string }[] }[];
}

let gwA: E2eGateway;
let gwB: E2eGateway | undefined;
const batches: SinkBatch[] = [];
const sink = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      batches.push(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as SinkBatch);
      res.statusCode = 200;
    } catch {
      res.statusCode = 400;
    }
    res.end('{}');
  });
});
let sinkUrl = '';
const redis = new Redis(6379, '127.0.0.1');

async function admin(gw: E2eGateway, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${gw.adminUrl}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function configure(gw: E2eGateway): Promise<void> {
  const service = await admin(gw, 'POST', '/services', { name: 'kae-echo', url: gw.upstreamUrl });
  const route = await admin(gw, 'POST', `/services/${service.id as string}/routes`, { name: 'kae-route', paths: ['/kae'] });
  const writeRoute = await admin(gw, 'POST', `/services/${service.id as string}/routes`, { name: 'kae-write', paths: ['/kae-write'] });
  await admin(gw, 'POST', '/consumers', { username: 'alice', custom_id: 'cust-alice' });
  const now = Math.floor(Date.now() / 1000);
  const keys = [
    { id: 'alice-1', consumer: 'alice', hash: formatKeyHash(ALICE_KEY, 'sha256'), scopes: ['orders:read'] },
    { id: 'alice-hmac', consumer: 'alice', hash: formatKeyHash(ALICE_HMAC_KEY, 'hmac-sha256', PEPPER), scopes: ['orders:read', 'orders:write'] },
    { id: 'alice-old', consumer: 'alice', hash: formatKeyHash(OLD_KEY, 'sha256'), scopes: ['orders:read'], expires_at: String(now - 60) },
  ];
  const common = {
    keys,
    pepper_env: PEPPER_ENV,
    hide_credentials: true,
    realm: 'kae',
    max_failures: 4,
    window: 60,
    lockout: 30,
    policy: 'redis',
    redis: { host: '127.0.0.1', port: 6379, prefix: REDIS_PREFIX, timeout_ms: 500 },
    greylist_on_lockout: true,
    greylist_duration: 60,
    collector_url: sinkUrl,
    collector_token: 'e2e-token',
  };
  await admin(gw, 'POST', `/routes/${route.id as string}/plugins`, { id: PLUGIN_ID, name: 'key-auth-ext', config: common });
  await admin(gw, 'POST', `/routes/${writeRoute.id as string}/plugins`, {
    name: 'key-auth-ext',
    config: { ...common, required_scopes: ['orders:write'], max_failures: 0, collector_url: null },
  });
}

async function call(gw: E2eGateway, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${gw.proxyUrl}${path}`, { headers });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, json };
}

beforeAll(async () => {
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
  gwA = await startE2eGateway({ workers: 2 });
  await configure(gwA);
  if (gwA.local) {
    gwB = await startE2eGateway({ workers: 1 });
    await configure(gwB);
  }
});

afterAll(async () => {
  await gwB?.stop();
  await gwA?.stop();
  const keys = await redis.keys(`${REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  sink.closeAllConnections();
  await new Promise<void>((r) => sink.close(() => r()));
});

describe('key-auth-ext through the gateway', () => {
  it('authenticates a hashed key, sets X-Consumer-* upstream and hides the key', async () => {
    const r = await call(gwA, '/kae/orders/echo', { apikey: ALICE_KEY, 'x-consumer-custom-id': 'spoofed' });
    expect(r.status).toBe(200);
    const upstream = r.json.headers as Record<string, string>;
    expect(upstream['x-consumer-username']).toBe('alice');
    expect(upstream['x-consumer-custom-id']).toBe('cust-alice');
    expect(upstream['x-credential-identifier']).toBe('alice-1');
    expect(upstream['x-consumer-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.apikey).toBeUndefined();
  });

  it('accepts an HMAC-peppered key and a key in the query (removed from the upstream query)', async () => {
    const r = await call(gwA, `/kae/echo?apikey=${encodeURIComponent(ALICE_HMAC_KEY)}&x=1`);
    expect(r.status).toBe(200);
    expect(r.json.query).toEqual({ x: '1' });
    expect((r.json.headers as Record<string, string>)['x-credential-identifier']).toBe('alice-hmac');
  });

  it('401 KEY_MISSING / KEY_EXPIRED with WWW-Authenticate and the request id', async () => {
    const missing = await call(gwA, '/kae/echo');
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ message: 'No API key found in request', code: 'KEY_MISSING' });
    expect(missing.headers.get('www-authenticate')).toBe('Key realm="kae"');
    expect(typeof missing.json.request_id).toBe('string');
    const expired = await call(gwA, '/kae/echo', { apikey: OLD_KEY });
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ message: 'API key expired', code: 'KEY_EXPIRED' });
  });

  it('403 INSUFFICIENT_SCOPE on a route requiring a scope the key lacks', async () => {
    const r = await call(gwA, '/kae-write/echo', { apikey: ALICE_KEY });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('INSUFFICIENT_SCOPE');
    expect((await call(gwA, '/kae-write/echo', { apikey: ALICE_HMAC_KEY })).status).toBe(200);
  });

  it('locks an IP out after max_failures invalid keys, shared across two nodes through Redis, and reports it', async () => {
    const other = gwB ?? gwA;
    const bad = (i: number): Record<string, string> => ({ apikey: `kas_guess-${i}-${randomUUID()}` });
    expect((await call(gwA, '/kae/echo', bad(1))).status).toBe(401);
    expect((await call(other, '/kae/echo', bad(2))).status).toBe(401);
    expect((await call(gwA, '/kae/echo', bad(3))).status).toBe(401);
    expect((await call(other, '/kae/echo', bad(4))).status).toBe(401); // 4th failure: lockout starts

    for (const gw of [gwA, other]) {
      const locked = await call(gw, '/kae/echo', { apikey: ALICE_KEY });
      expect(locked.status).toBe(429);
      expect(locked.json.code).toBe('LOCKED_OUT');
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
    }
    // The greylist entry api-waf reads.
    expect(await redis.get(`${REDIS_PREFIX}:ban:grey:127.0.0.1`)).toContain('brute force');

    // Events reach the collector (batches flush every second).
    for (let i = 0; i < 100 && batches.flatMap((b) => b.events).filter((e) => e.status === 429).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = batches.flatMap((b) => b.events);
    expect(events.filter((e) => e.kind === 'brute_force' && e.rule === 'invalid_key').length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.rule === 'lockout' && e.status === 401)).toBe(true);
    expect(events.filter((e) => e.rule === 'lockout' && e.status === 429).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toContain('guess-1-');
    expect(events.every((e) => e.plugin === 'key-auth-ext')).toBe(true);
  });
});
