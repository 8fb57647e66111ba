import { LocalWindowStore } from '../common/window-counter';
import { FakeKong, type FakeRequest } from '../common/testing/fake-pdk';
import type { EventInput, Reporter } from '../common/reporter';
import { KeyAuthExtHandler, type HandlerDeps } from './handler';
import { formatKeyHash } from './keys';

const ALICE = { id: '7f1c0c1e-4a52-4c1b-9d57-0c9f3f6f4a01', username: 'alice', custom_id: 'cust-42' };
const BOB = { id: '7f1c0c1e-4a52-4c1b-9d57-0c9f3f6f4a02', username: 'bob' };
const ANON = { id: '7f1c0c1e-4a52-4c1b-9d57-0c9f3f6f4a03', username: 'anonymous' };

const ALICE_KEY = 'kas_alice-secret-key-0123456789abcdef';
const ALICE_NEW_KEY = 'kas_alice-rotated-key-0123456789abcd';
const BOB_KEY = 'kas_bob-secret-key-0123456789abcdefgh';
const PEPPER = 'pepper-for-tests';
const T0 = Date.parse('2026-06-01T12:00:00Z');

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    keys: [
      { id: 'alice-1', consumer: 'alice', hash: formatKeyHash(ALICE_KEY, 'sha256'), scopes: ['orders:read'], expires_at: '2026-06-01T12:00:10Z' },
      {
        id: 'alice-2',
        consumer: 'alice',
        hash: formatKeyHash(ALICE_NEW_KEY, 'hmac-sha256', PEPPER),
        scopes: ['orders:read', 'orders:write'],
        not_before: String(Math.floor(T0 / 1000) + 5),
      },
      { id: 'bob-1', consumer: BOB.id, hash: formatKeyHash(BOB_KEY, 'sha256'), scopes: [], allowed_cidrs: ['10.0.0.0/8', '2001:db8::/32'] },
    ],
    pepper_env: 'TEST_PEPPER',
    __plugin_id: 'plugin-under-test',
    route_id: 'route-1',
    ...extra,
  };
}

class CapturingReporter {
  events: EventInput[] = [];
  enqueue(e: EventInput): void {
    this.events.push(e);
  }
}

interface Setup {
  handler: KeyAuthExtHandler;
  now: { t: number };
  reporter: CapturingReporter;
  run: (req: FakeRequest, prepare?: (k: FakeKong) => void) => Promise<FakeKong>;
}

function setup(extra: Record<string, unknown> = {}, deps: HandlerDeps = {}): Setup {
  const now = { t: T0 };
  const reporter = new CapturingReporter();
  const handler = new KeyAuthExtHandler(config(extra), {
    clock: () => now.t,
    env: { TEST_PEPPER: PEPPER },
    store: new LocalWindowStore({ clock: () => now.t }),
    reporter: reporter as unknown as Reporter,
    ...deps,
  });
  const run = async (req: FakeRequest, prepare?: (k: FakeKong) => void): Promise<FakeKong> => {
    const fake = new FakeKong({ ip: '192.0.2.10', ...req });
    fake.consumers = [ALICE, BOB, ANON];
    prepare?.(fake);
    await handler.access(fake.kong);
    return fake;
  };
  return { handler, now, reporter, run };
}

const body = (k: FakeKong): Record<string, unknown> => k.exited?.body as Record<string, unknown>;

describe('key-auth-ext: authentication like Kong key-auth', () => {
  it('accepts a valid key in a header, authenticates and sets X-Consumer-* headers in 4 RPCs', async () => {
    const { run } = setup();
    const k = await run({ headers: { apikey: ALICE_KEY } });
    expect(k.exited).toBeUndefined();
    expect(k.authenticated?.consumer.id).toBe(ALICE.id);
    expect(k.authenticated?.credential).toEqual({ id: 'alice-1', consumer: { id: ALICE.id } });
    expect(k.upstreamHeaders.get('x-consumer-id')).toBe(ALICE.id);
    expect(k.upstreamHeaders.get('x-consumer-custom-id')).toBe('cust-42');
    expect(k.upstreamHeaders.get('x-consumer-username')).toBe('alice');
    expect(k.upstreamHeaders.get('x-credential-identifier')).toBe('alice-1');
    expect(k.methods()).toEqual([
      'kong.client.get_forwarded_ip', // lockout check first: a locked-out client costs no key search
      'kong.request.get_headers',
      'kong.client.load_consumer',
      'kong.client.authenticate',
      'kong.service.request.set_headers',
    ]);
    expect(k.calls[2].args).toEqual(['alice', true]);
  });

  it('caches the consumer: the second request makes no load_consumer call', async () => {
    const { run } = setup();
    await run({ headers: { apikey: ALICE_KEY } });
    const k = await run({ headers: { apikey: ALICE_KEY } });
    expect(k.methods()).not.toContain('kong.client.load_consumer');
    expect(k.rpcCount).toBe(4);
  });

  it('clears spoofed consumer headers the client sent', async () => {
    const { run } = setup();
    const k = await run({ headers: { apikey: BOB_KEY, 'x-consumer-custom-id': 'evil', 'x-anonymous-consumer': 'true' }, ip: '10.1.2.3' });
    expect(k.exited).toBeUndefined();
    expect(k.upstreamHeaders.get('x-consumer-custom-id')).toBeNull();
    expect(k.upstreamHeaders.get('x-anonymous-consumer')).toBeNull();
  });

  it('401 KEY_MISSING with WWW-Authenticate and request_id when no key is present', async () => {
    const { run } = setup({ realm: 'shop' });
    const k = await run({ headers: {} });
    expect(k.exited?.status).toBe(401);
    expect(body(k)).toEqual({ message: 'No API key found in request', code: 'KEY_MISSING', request_id: 'req-0001' });
    expect(k.exited?.headers).toEqual({ 'WWW-Authenticate': 'Key realm="shop"' });
  });

  it('401 KEY_INVALID "Unauthorized" for an unknown key; plain "Key" challenge without realm', async () => {
    const { run, reporter } = setup();
    const k = await run({ headers: { apikey: 'kas_wrong-key-000000000000000000000' } });
    expect(k.exited?.status).toBe(401);
    expect(body(k)).toMatchObject({ message: 'Unauthorized', code: 'KEY_INVALID' });
    expect(k.exited?.headers).toEqual({ 'WWW-Authenticate': 'Key' });
    expect(reporter.events).toHaveLength(1);
    expect(reporter.events[0]).toMatchObject({ kind: 'brute_force', plugin: 'key-auth-ext', status: 401, rule: 'invalid_key', client_ip: '192.0.2.10', action: 'blocked' });
    expect(reporter.events[0].findings[0].excerpt).toBe('kas_*** (35 chars)');
    expect(JSON.stringify(reporter.events)).not.toContain('wrong-key');
  });

  it('401 KEY_DUPLICATE when the key header is repeated', async () => {
    const { run } = setup();
    const k = await run({ headers: { apikey: [ALICE_KEY, BOB_KEY] } });
    expect(k.exited?.status).toBe(401);
    expect(body(k).code).toBe('KEY_DUPLICATE');
  });

  it('finds the key in the query (and skips a flag arg), cookie and body when enabled', async () => {
    const { run } = setup({ key_in_cookie: true, key_in_body: true });
    const q = await run({ target: `/orders?x=1&apikey=${encodeURIComponent(ALICE_KEY)}` });
    expect(q.authenticated?.consumer.id).toBe(ALICE.id);
    const flag = await run({ target: '/orders?apikey' });
    expect(body(flag).code).toBe('KEY_MISSING');
    const c = await run({ headers: { cookie: `a=b; apikey=${ALICE_KEY}` } });
    expect(c.authenticated?.consumer.id).toBe(ALICE.id);
    const form = await run({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `q=1&apikey=${ALICE_KEY}` });
    expect(form.authenticated?.consumer.id).toBe(ALICE.id);
    const json = await run({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ apikey: ALICE_KEY }) });
    expect(json.authenticated?.consumer.id).toBe(ALICE.id);
  });

  it('does not look in locations that are disabled', async () => {
    const { run } = setup({ key_in_query: false });
    const k = await run({ target: `/orders?apikey=${ALICE_KEY}` });
    expect(body(k).code).toBe('KEY_MISSING');
    expect(k.methods()).not.toContain('kong.request.get_path_with_query');
  });

  it('hide_credentials removes the key from header, query, cookie and body', async () => {
    const { run } = setup({ hide_credentials: true, key_in_cookie: true, key_in_body: true });
    const h = await run({ headers: { apikey: ALICE_KEY } });
    expect(h.upstreamHeaders.get('apikey')).toBeNull();
    const q = await run({ target: `/o?apikey=${ALICE_KEY}` });
    expect(q.clearedQueryArgs).toEqual(['apikey']);
    const c = await run({ headers: { cookie: `a=b; apikey=${ALICE_KEY}; c=d` } });
    expect(c.upstreamHeaders.get('cookie')).toBe('a=b; c=d');
    const f = await run({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `q=a%20b&apikey=${ALICE_KEY}&z=1` });
    expect(f.upstreamBody).toBe('q=a%20b&z=1');
    const j = await run({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey: ALICE_KEY, n: 1 }) });
    expect(JSON.parse(j.upstreamBody!)).toEqual({ n: 1 });
  });

  it('run_on_preflight=false lets OPTIONS through without a key', async () => {
    const { run } = setup({ run_on_preflight: false });
    const k = await run({ method: 'OPTIONS' });
    expect(k.exited).toBeUndefined();
    expect(k.methods()).toEqual(['kong.request.get_method']);
  });

  it('loads the consumer by UUID as well as by username', async () => {
    const { run } = setup();
    const k = await run({ headers: { apikey: BOB_KEY }, ip: '10.9.9.9' });
    expect(k.authenticated?.consumer.id).toBe(BOB.id);
    expect(k.upstreamHeaders.get('x-consumer-custom-id')).toBeUndefined(); // not sent by client: no clear call
  });

  it('answers 500 when the key’s consumer does not exist', async () => {
    const { run } = setup();
    const k = await run({ headers: { apikey: ALICE_KEY } }, (f) => (f.consumers = []));
    expect(k.exited?.status).toBe(500);
    expect(body(k).code).toBe('SERVER_ERROR');
    expect(k.logs.some((l) => l.level === 'err' && l.message.includes('alice'))).toBe(true);
  });
});

describe('key-auth-ext: anonymous (logical OR)', () => {
  it('authenticates the anonymous consumer on failure and sets X-Anonymous-Consumer', async () => {
    const { run } = setup({ anonymous: 'anonymous' });
    const k = await run({ headers: {} });
    expect(k.exited).toBeUndefined();
    expect(k.authenticated?.consumer.id).toBe(ANON.id);
    expect(k.authenticated?.credential).toBeUndefined();
    expect(k.calls.find((c) => c.method === 'kong.client.authenticate')?.args).toHaveLength(1); // no hole
    expect(k.upstreamHeaders.get('x-anonymous-consumer')).toBe('true');
  });

  it('leaves a request already authenticated by another plugin alone', async () => {
    const { run } = setup({ anonymous: 'anonymous' });
    const k = await run({ headers: {} }, (f) => (f.credential = { id: 'jwt-cred' }));
    expect(k.exited).toBeUndefined();
    expect(k.authenticated).toBeUndefined();
  });

  it('500 when the anonymous consumer does not exist', async () => {
    const { run } = setup({ anonymous: 'nobody' });
    const k = await run({ headers: {} });
    expect(k.exited?.status).toBe(500);
  });
});

describe('key-auth-ext: validity periods, rotation, scopes, CIDRs', () => {
  it('expiry is enforced to the second and answered KEY_EXPIRED', async () => {
    const { run, now } = setup();
    now.t = Date.parse('2026-06-01T12:00:09.999Z');
    expect((await run({ headers: { apikey: ALICE_KEY } })).exited).toBeUndefined();
    now.t = Date.parse('2026-06-01T12:00:10.000Z');
    const k = await run({ headers: { apikey: ALICE_KEY } });
    expect(k.exited?.status).toBe(401);
    expect(body(k)).toMatchObject({ message: 'API key expired', code: 'KEY_EXPIRED' });
  });

  it('not_before keeps a key invalid (generic answer, no hint) until its second', async () => {
    const { run, now, reporter } = setup();
    now.t = T0 + 4999;
    const early = await run({ headers: { apikey: ALICE_NEW_KEY } });
    expect(body(early)).toMatchObject({ message: 'Unauthorized', code: 'KEY_INVALID' });
    expect(reporter.events).toHaveLength(0); // a correct-but-early key is not a brute-force failure
    now.t = T0 + 5000;
    const k = await run({ headers: { apikey: ALICE_NEW_KEY } });
    expect(k.exited).toBeUndefined();
    expect(k.upstreamHeaders.get('x-credential-identifier')).toBe('alice-2');
  });

  it('rotation: old and new key both work inside the overlap window, only the new after', async () => {
    const { run, now } = setup();
    now.t = T0 + 7000;
    expect((await run({ headers: { apikey: ALICE_KEY } })).exited).toBeUndefined();
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();
    now.t = T0 + 10_000;
    expect(body(await run({ headers: { apikey: ALICE_KEY } })).code).toBe('KEY_EXPIRED');
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();
  });

  it('hmac-sha256 keys need the pepper: without it the key is disabled and a warning logged', async () => {
    const { run, now } = setup({}, { env: {} });
    now.t = T0 + 6000;
    const k = await run({ headers: { apikey: ALICE_NEW_KEY } });
    expect(body(k).code).toBe('KEY_INVALID');
    expect(k.logs.some((l) => l.level === 'warn' && l.message.includes('TEST_PEPPER'))).toBe(true);
  });

  it('403 INSUFFICIENT_SCOPE when the route requires a scope the key lacks', async () => {
    const { run, now, reporter } = setup({ required_scopes: ['orders:write'] });
    const k = await run({ headers: { apikey: ALICE_KEY } });
    expect(k.exited?.status).toBe(403);
    expect(body(k)).toMatchObject({ message: 'Insufficient scope', code: 'INSUFFICIENT_SCOPE' });
    expect(k.exited?.headers).toEqual({});
    expect(reporter.events[0]).toMatchObject({ kind: 'policy', rule: 'insufficient_scope' });
    now.t = T0 + 6000;
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();
  });

  it('403 IP_NOT_ALLOWED outside the key’s CIDRs (IPv4 and IPv6)', async () => {
    const { run } = setup();
    expect((await run({ headers: { apikey: BOB_KEY }, ip: '10.200.1.1' })).exited).toBeUndefined();
    expect((await run({ headers: { apikey: BOB_KEY }, ip: '2001:db8:1::5' })).exited).toBeUndefined();
    const k = await run({ headers: { apikey: BOB_KEY }, ip: '192.0.2.99' });
    expect(k.exited?.status).toBe(403);
    expect(body(k)).toMatchObject({ message: 'IP address not allowed', code: 'IP_NOT_ALLOWED' });
  });

  it('the same secret configured twice (re-issued with new validity) uses the entry valid now', async () => {
    const hash = formatKeyHash(ALICE_KEY, 'sha256');
    const { run, now } = setup({
      keys: [
        { id: 'old', consumer: 'alice', hash, expires_at: '2026-06-01T12:00:05Z' },
        { id: 'new', consumer: 'alice', hash, not_before: '2026-06-01T12:00:05Z' },
      ],
    });
    expect((await run({ headers: { apikey: ALICE_KEY } })).upstreamHeaders.get('x-credential-identifier')).toBe('old');
    now.t = T0 + 5000;
    expect((await run({ headers: { apikey: ALICE_KEY } })).upstreamHeaders.get('x-credential-identifier')).toBe('new');
  });
});

describe('key-auth-ext: brute-force lockout', () => {
  it('after max_failures invalid keys from one IP: 429 with Retry-After, also for a valid key; other IPs unaffected', async () => {
    const { run, now, reporter } = setup({ max_failures: 3, window: 60, lockout: 120 });
    now.t = T0 + 5000; // ALICE_NEW_KEY (no expiry) is valid from here on
    for (let i = 0; i < 3; i++) {
      const k = await run({ headers: { apikey: `kas_guess-${i}-0000000000000000000000` } });
      expect(k.exited?.status).toBe(401);
    }
    const locked = await run({ headers: { apikey: ALICE_NEW_KEY } });
    expect(locked.exited?.status).toBe(429);
    expect(body(locked)).toMatchObject({ code: 'LOCKED_OUT', message: 'Too many failed authentication attempts' });
    expect(locked.exited?.headers).toEqual({ 'Retry-After': '120' });
    expect(locked.authenticated).toBeUndefined();

    expect((await run({ headers: { apikey: ALICE_NEW_KEY }, ip: '192.0.2.11' })).exited).toBeUndefined();

    now.t += 60_000;
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited?.headers).toEqual({ 'Retry-After': '60' });
    now.t += 60_000;
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();

    const rules = reporter.events.map((e) => `${e.kind}:${e.status}:${e.rule}`);
    expect(rules).toEqual([
      'brute_force:401:invalid_key',
      'brute_force:401:invalid_key',
      'brute_force:401:lockout',
      'brute_force:429:lockout',
      'brute_force:429:lockout',
    ]);
    expect(reporter.events[2].extra).toMatchObject({ failures: 3, max_failures: 3, locked_out: true, lockout_seconds: 120 });
  });

  it('failures outside the window do not add up (fixed window)', async () => {
    const { run, now } = setup({ max_failures: 2, window: 10, window_type: 'fixed' });
    now.t = Date.parse('2026-06-01T12:00:10Z');
    await run({ headers: { apikey: 'kas_bad-1-xxxxxxxxxxxxxxxxxxxxxx' } });
    now.t += 20_000;
    await run({ headers: { apikey: 'kas_bad-2-xxxxxxxxxxxxxxxxxxxxxx' } });
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();
  });

  it('missing, expired and not-yet-valid keys do not count as failures', async () => {
    const { run, now } = setup({ max_failures: 1 });
    now.t = T0 + 10_000; // alice-1 expired
    await run({ headers: {} });
    await run({ headers: { apikey: ALICE_KEY } });
    expect((await run({ headers: { apikey: ALICE_NEW_KEY } })).exited).toBeUndefined();
  });

  it('max_failures 0 disables lockout (and the client IP is not even read)', async () => {
    const { run } = setup({ max_failures: 0 });
    for (let i = 0; i < 5; i++) await run({ headers: { apikey: 'kas_bad-xxxxxxxxxxxxxxxxxxxxxxxxxx' } });
    const k = await run({ headers: { apikey: ALICE_KEY } });
    expect(k.exited).toBeUndefined();
    expect(k.methods()).not.toContain('kong.client.get_forwarded_ip');
  });

  it('greylist_on_lockout writes the shared greylist key for the canonical IP', async () => {
    const store = new LocalWindowStore();
    const { run } = setup({ max_failures: 1, greylist_on_lockout: true, greylist_duration: 600 }, { store });
    await run({ headers: { apikey: 'kas_bad-xxxxxxxxxxxxxxxxxxxxxxxxxx' }, ip: '::ffff:198.51.100.7' });
    const ban = await store.banned('grey:198.51.100.7');
    expect(ban?.reason).toContain('brute force');
    expect(ban!.remainingMs).toBeGreaterThan(590_000);
  });
});

describe('key-auth-ext: robustness', () => {
  it('fails closed (500) when a PDK call throws, and logs it', async () => {
    const { handler } = setup();
    const fake = new FakeKong({ headers: { apikey: ALICE_KEY } });
    const kong = fake.kong;
    kong.client.getForwardedIp = () => Promise.reject(new Error('boom'));
    await handler.access(kong);
    expect(fake.exited?.status).toBe(500);
    expect(fake.logs.some((l) => l.message.includes('boom'))).toBe(true);
  });

  it('a config with broken keys still starts; good keys keep working; warnings logged once', async () => {
    const { run } = setup({
      keys: [
        { id: 'bad-hash', consumer: 'alice', hash: 'sha256:xyz' },
        { id: 'bad-date', consumer: 'alice', hash: formatKeyHash('kas_x', 'sha256'), expires_at: 'soon' },
        { id: 'ok', consumer: 'alice', hash: formatKeyHash(ALICE_KEY, 'sha256') },
      ],
    });
    const first = await run({ headers: { apikey: ALICE_KEY } });
    expect(first.exited).toBeUndefined();
    expect(first.logs.filter((l) => l.level === 'warn')).toHaveLength(2);
    const second = await run({ headers: { apikey: 'kas_x' } });
    expect(body(second).code).toBe('KEY_INVALID');
    expect(second.logs).toHaveLength(0);
  });

  it('a malformed JSON body is treated as "no key in body"', async () => {
    const { run } = setup({ key_in_body: true });
    const k = await run({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apikey": ' });
    expect(body(k).code).toBe('KEY_MISSING');
  });

  it('makes no PDK call after exit (the fake rejects such calls)', async () => {
    const { run } = setup({ max_failures: 1 });
    for (let i = 0; i < 3; i++) {
      const k = await run({ headers: { apikey: 'kas_bad-xxxxxxxxxxxxxxxxxxxxxxxxxx' } });
      expect(k.calls[k.calls.length - 1].method).toBe('kong.response.exit');
    }
  });
});
