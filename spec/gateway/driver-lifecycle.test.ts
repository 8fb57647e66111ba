/**
 * Driver + proxy against the REAL kong-js-pluginserver (our leak-fixed entry) with fixture plugins:
 * event loop, exit without reply, fail-open, StartInstance failure, config change, restart recovery.
 */
import { makePlugin, makeRoute, makeService } from '../../gateway/proxy/static-config';
import { RpcClient } from '../../gateway/driver/rpc';
import { startTestGateway, type TestGateway } from './helpers';

jest.setTimeout(60_000);

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(['waf-demo', 'thrower', 'body-reader', 'silent']);
});

afterAll(async () => {
  await gw?.stop();
});

function configure(plugins: Array<{ name: string; config?: Record<string, unknown>; id?: string }>, path = '/echo'): { routeId: string } {
  const service = makeService({ host: '127.0.0.1', port: gw.upstreamPort, name: 'echo' });
  const route = makeRoute({ paths: [path], service: { id: service.id } });
  gw.source.set({
    services: [service],
    routes: [route],
    plugins: plugins.map((p) => makePlugin({ name: p.name, id: p.id, config: p.config, route: { id: route.id } }, gw.driver)),
  });
  return { routeId: route.id };
}

async function get(path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(gw.proxyUrl + path, { method: body === undefined ? 'GET' : 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('catalog comes from the --dump-all-plugins query', () => {
  expect(gw.driver.get('waf-demo')).toMatchObject({ Name: 'waf-demo', Version: '0.1.0', Priority: 1500, Phases: ['log', 'access'] });
  expect(gw.driver.list().map((p) => p.Name).sort()).toEqual(['body-reader', 'silent', 'thrower', 'waf-demo']);
});

test('a plugin passes: upstream sees the header it set, client sees its response header', async () => {
  configure([{ name: 'waf-demo', config: { message: 'hello' } }]);
  const res = await get('/echo/x?y=1');
  expect(res.status).toBe(200);
  const echoed = JSON.parse(res.text) as { url: string; headers: Record<string, string> };
  expect(echoed.url).toBe('/x?y=1');
  expect(echoed.headers['x-waf-seen']).toBe('5');
  expect(res.headers.get('x-waf-message')).toBe('hello');
  expect(res.headers.get('via')).toMatch(/kong\//);
  // HandleEvent + get_header + set_header + set_header: 4 round trips, 3 PDK calls (+ StartInstance once)
  expect(res.headers.get('x-kong-emu-rpc')).toMatch(/^waf-demo=(4|5)\/3$/);
});

test('kong.response.exit: the response is the plugin’s, the call is never answered, later plugins skipped', async () => {
  configure([{ name: 'waf-demo' }, { name: 'thrower' }]);
  const res = await get('/echo', { 'x-block': 'yes' });
  expect(res.status).toBe(403);
  expect(res.text).toBe('blocked by waf-demo');
  expect(res.headers.get('x-waf')).toBe('demo');
  // thrower (priority 1000) runs after waf-demo (1500): it must not have run
  expect(res.headers.get('x-kong-emu-rpc')).not.toMatch(/thrower/);
});

test('kong.response.error uses Kong’s JSON error template with the request id', async () => {
  configure([{ name: 'waf-demo' }]);
  const res = await get('/echo', { 'x-block': 'error' });
  expect(res.status).toBe(451);
  const body = JSON.parse(res.text) as { message: string; request_id: string };
  expect(body.message).toBe('Unavailable for legal reasons');
  expect(body.request_id).toBe(res.headers.get('x-kong-request-id'));
});

test('a JS exception in the handler is fail-open', async () => {
  configure([{ name: 'thrower' }]);
  const res = await get('/echo');
  expect(res.status).toBe(200);
  expect(JSON.parse(res.text).headers['x-thrower-was-here']).toBe('yes');
});

test('StartInstance failure (constructor throws) is HTTP 500', async () => {
  configure([{ name: 'thrower', config: { fail_start: true } }]);
  const res = await get('/echo');
  expect(res.status).toBe(500);
  expect(JSON.parse(res.text).message).toBe('An unexpected error occurred');
  expect(gw.records.some((r) => r.level === 'error' && r.message.includes('starting instance: constructor refused this config'))).toBe(true);
});

test('raw body arrives as Uint8Array; over the body buffer without a limit it is a Lua error (500)', async () => {
  configure([{ name: 'body-reader' }]);
  const small = await get('/echo', { 'content-type': 'text/plain' }, 'abcé');
  expect(small.status).toBe(200);
  const h = JSON.parse(small.text).headers;
  expect(h['x-body-type']).toBe('[object Uint8Array]');
  expect(h['x-body-length']).toBe('5');
  const big = await get('/echo', { 'content-type': 'text/plain' }, 'x'.repeat(20000));
  expect(big.status).toBe(500);
  configure([{ name: 'body-reader', config: { max_bytes: 1 << 20 } }]);
  const bigOk = await get('/echo', { 'content-type': 'text/plain' }, 'x'.repeat(20000));
  expect(bigOk.status).toBe(200);
  expect(JSON.parse(bigOk.text).headers['x-body-length']).toBe('20000');
});

test('config change starts a new instance and closes the old one', async () => {
  const pluginId = '9a1c1c3e-1111-4111-8111-000000000001';
  configure([{ name: 'waf-demo', id: pluginId, config: { message: 'first' } }]);
  expect((await get('/echo')).headers.get('x-waf-message')).toBe('first');
  const before = gw.driver.workers[0].instances.get(pluginId)?.id;
  expect(before).toBeDefined();
  configure([{ name: 'waf-demo', id: pluginId, config: { message: 'second' } }]);
  expect((await get('/echo')).headers.get('x-waf-message')).toBe('second');
  const after = gw.driver.workers[0].instances.get(pluginId)?.id;
  expect(after).not.toBe(before);
  const rpc = new RpcClient(gw.servers.endpoints.find((e) => e.info.Name === 'waf-demo')!.socket);
  await expect(rpc.call('plugin.InstanceStatus', before)).rejects.toThrow(/no plugin instance/);
  await expect(rpc.call('plugin.InstanceStatus', after)).resolves.toMatchObject({ Name: 'waf-demo' });
  rpc.close();
});

test('a plugin removed from the config stops running on the next request', async () => {
  configure([{ name: 'waf-demo' }]);
  expect((await get('/echo', { 'x-block': 'yes' })).status).toBe(403);
  configure([]);
  expect((await get('/echo', { 'x-block': 'yes' })).status).toBe(200);
});

test('no plugin instance after a server restart (SIGKILL + respawn): instances reset and the handler retried', async () => {
  configure([{ name: 'waf-demo', config: { message: 'again' } }]);
  expect((await get('/echo')).status).toBe(200);
  const proc = gw.servers.processes.get('waf-demo')!;
  const oldPid = proc.pid;
  const respawned = new Promise<{ gapMs: number }>((r) => proc.once('respawned', r));
  proc.crash();
  const { gapMs } = await respawned;
  expect(proc.pid).not.toBe(oldPid);
  expect(gapMs).toBeGreaterThan(0);
  // the cached instance id is unknown to the new process
  const res = await get('/echo');
  expect(res.status).toBe(200);
  expect(res.headers.get('x-waf-message')).toBe('again');
  expect(gw.driver.stats.noInstanceRetries).toBeGreaterThan(0);
  expect(gw.records.some((r) => r.message.includes('restart gap'))).toBe(true);
});

test('a dead server is fail-open for events (but instance starts fail)', async () => {
  configure([{ name: 'silent' }]);
  expect((await get('/echo')).status).toBe(200);
  const proc = gw.servers.processes.get('silent')!;
  const respawned = new Promise((r) => proc.once('respawned', r));
  const exited = new Promise((r) => proc.once('exit', r));
  proc.crash();
  await exited;
  // instance id cached, server gone: HandleEvent fails to connect -> logged, request continues
  const res = await get('/echo');
  expect(res.status).toBe(200);
  expect(gw.records.some((r) => r.level === 'error' && /\[silent\] trying to connect/.test(r.message))).toBe(true);
  await respawned;
});

test('no route: Kong’s 404 body', async () => {
  configure([]);
  const res = await get('/nothing-here');
  expect(res.status).toBe(404);
  const body = JSON.parse(res.text);
  expect(body).toEqual({ message: 'no Route matched with those values', request_id: res.headers.get('x-kong-request-id') });
});
