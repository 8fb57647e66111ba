import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigStore } from '../config/store';
import { fixtureCatalog } from '../config/testing/fixture-catalog';
import { startAdminApi, type AdminApi } from './server';

const FIXTURE = path.join(__dirname, '../../spec/fixtures/config/kong.yaml');

interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let dir: string;
let api: AdminApi;
let store: ConfigStore;

async function call(method: string, p: string, body?: unknown, contentType = 'application/json'): Promise<Res> {
  const init: RequestInit = { method, headers: {} };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = contentType;
  }
  const r = await fetch(api.url + p, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function start(mode: 'db' | 'off', declarativeFile?: string): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adminapi-'));
  const catalog = fixtureCatalog();
  store = await ConfigStore.open({ mode, dataDir: dir, declarativeFile, catalog });
  api = await startAdminApi({ store, catalog, host: '127.0.0.1', port: 0 });
}

afterEach(async () => {
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Admin API, DB mode', () => {
  beforeEach(() => start('db'));

  it('GET / and /status describe the node', async () => {
    const root = await call('GET', '/');
    expect(root.status).toBe(200);
    expect(root.body.version).toMatch(/^3\.9\./);
    expect(root.body.configuration.database).toBe('postgres');
    expect(Object.keys(root.body.plugins.available_on_server).sort()).toEqual(['api-waf', 'key-auth-ext']);
    expect(root.body.plugins.available_on_server['api-waf']).toEqual({ version: '0.1.0', priority: 1010 });
    expect((await call('GET', '/status')).body.database).toEqual({ reachable: true });
    expect((await call('GET', '/plugins/enabled')).body.enabled_plugins.sort()).toEqual(['api-waf', 'key-auth-ext']);
  });

  it('CRUD on services by id and by name, with Kong errors', async () => {
    const created = await call('POST', '/services', { name: 'echo', url: 'http://127.0.0.1:9000' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'echo', host: '127.0.0.1', port: 9000, protocol: 'http', path: null });
    expect((await call('GET', `/services/${created.body.id}`)).body.name).toBe('echo');
    expect((await call('GET', '/services/echo')).body.id).toBe(created.body.id);
    expect((await call('PATCH', '/services/echo', { retries: 2 })).body.retries).toBe(2);
    const dup = await call('POST', '/services', { name: 'echo', host: 'x' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe(5);
    const bad = await call('POST', '/services', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 2, name: 'schema violation', message: 'schema violation (host: required field missing)', fields: { host: 'required field missing' } });
    expect((await call('GET', '/services/nope')).status).toBe(404);
    expect((await call('GET', '/services/nope')).body).toEqual({ message: 'Not found' });
    const patch404 = await call('PATCH', '/services/nope', { retries: 1 });
    expect(patch404.status).toBe(404);
    expect(patch404.body.code).toBe(6);
    const put = await call('PUT', '/services/other', { host: 'h' });
    expect(put.status).toBe(200);
    expect(put.body.name).toBe('other');
    expect((await call('DELETE', '/services/other')).status).toBe(204);
    expect((await call('DELETE', '/services/other')).status).toBe(204);
    expect((await call('GET', '/nothing-here')).status).toBe(404);
    expect((await call('POST', '/services', '{bad json')).body).toEqual({ message: 'Cannot parse JSON body' });
    expect((await call('POST', '/services', 'x', 'text/plain')).status).toBe(415);
  });

  it('nested routes and plugins, foreign entity endpoint, refusal and cascade', async () => {
    const svc = (await call('POST', '/services', { name: 's1', host: 'h' })).body;
    const route = await call('POST', '/services/s1/routes', { name: 'r1', paths: ['/a'] });
    expect(route.status).toBe(201);
    expect(route.body.service).toEqual({ id: svc.id });
    expect((await call('GET', '/services/s1/routes')).body.data).toHaveLength(1);
    expect((await call('GET', '/routes/r1/service')).body.id).toBe(svc.id);
    expect((await call('GET', `/services/s1/routes/r1`)).status).toBe(200);
    expect((await call('DELETE', '/routes/r1/service')).status).toBe(405);
    const plugin = await call('POST', '/routes/r1/plugins', { name: 'api-waf', config: { mode: 'monitoring' } });
    expect(plugin.status).toBe(201);
    expect(plugin.body.route).toEqual({ id: route.body.id });
    expect(plugin.body.config).toMatchObject({ mode: 'monitoring', paranoia_level: 1, body: { max_bytes: 1048576 } });
    expect((await call('GET', '/routes/r1/plugins')).body.data).toHaveLength(1);
    expect((await call('PATCH', `/routes/r1/plugins/${plugin.body.id}`, { config: { paranoia_level: 2 } })).body.config).toMatchObject({ mode: 'monitoring', paranoia_level: 2 });
    expect((await call('POST', '/services/s1/plugins', { name: 'key-auth-ext' })).status).toBe(201);
    const c = await call('POST', '/consumers', { username: 'alice' });
    expect((await call('POST', '/consumers/alice/plugins', { name: 'api-waf' })).body.consumer).toEqual({ id: c.body.id });
    expect((await call('GET', '/consumers?custom_id=none')).body).toEqual({ data: [], next: null });
    const refused = await call('DELETE', '/services/s1');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("an existing 'routes' entity references this 'services' entity");
    expect((await call('DELETE', '/services/s1/routes/r1')).status).toBe(204);
    expect((await call('GET', '/routes/r1/plugins')).status).toBe(404);
    expect((await call('GET', '/plugins')).body.data.map((p: { name: string }) => p.name).sort()).toEqual(['api-waf', 'key-auth-ext']);
  });

  it('bad plugin config is a 400 schema violation and changes nothing; unknown plugin is not enabled', async () => {
    const before = store.snapshot();
    const res = await call('POST', '/plugins', { name: 'api-waf', config: { mode: 'x', allow_cidrs: ['nope'] } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(2);
    expect(res.body.name).toBe('schema violation');
    expect(res.body.fields).toEqual({ config: { mode: 'expected one of: off, monitoring, block', allow_cidrs: ['invalid value: nope'] } });
    expect(store.snapshot()).toBe(before);
    const unknown = await call('POST', '/plugins', { name: 'ghost' });
    expect(unknown.body.fields).toEqual({ name: "plugin 'ghost' not enabled; add it to the 'plugins' configuration property" });
  });

  it('accepts form bodies with nested keys and typed values', async () => {
    const s = await call('POST', '/services', 'name=f&host=h&port=8080&tags[]=a&tags[]=b', 'application/x-www-form-urlencoded');
    expect(s.body).toMatchObject({ port: 8080, tags: ['a', 'b'] });
    const r = await call('POST', '/routes', 'paths[]=/x&strip_path=false&service.id=' + s.body.id, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ paths: ['/x'], strip_path: false, service: { id: s.body.id } });
    const p = await call('POST', '/plugins', 'name=api-waf&config.mode=off&config.paranoia_level=3&config.allow_cidrs=10.0.0.0/8', 'application/x-www-form-urlencoded');
    expect(p.status).toBe(201);
    expect(p.body.config).toMatchObject({ mode: 'off', paranoia_level: 3, allow_cidrs: ['10.0.0.0/8'] });
    const patched = await call('PATCH', `/plugins/${p.body.id}`, 'config.anomaly_threshold=7.5', 'application/x-www-form-urlencoded');
    expect(patched.body.config.anomaly_threshold).toBe(7.5);
  });

  it('paginates with size/offset/next and tags', async () => {
    for (let i = 0; i < 5; i++) await call('POST', '/consumers', { username: `u${i}`, tags: [i < 2 ? 'first' : 'rest'] });
    const p1 = await call('GET', '/consumers?size=2');
    expect(p1.body.data).toHaveLength(2);
    expect(p1.body.next).toBe(`/consumers?offset=${encodeURIComponent(p1.body.offset)}&size=2`);
    const p2 = await call('GET', p1.body.next);
    const p3 = await call('GET', p2.body.next);
    expect(p3.body.next).toBeNull();
    expect(p3.body.offset).toBeUndefined();
    expect([...p1.body.data, ...p2.body.data, ...p3.body.data]).toHaveLength(5);
    expect((await call('GET', '/consumers?tags=first')).body.data).toHaveLength(2);
    expect((await call('GET', '/consumers?size=0')).body).toEqual({ code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' });
    expect((await call('GET', '/consumers?offset=zzz')).status).toBe(400);
  });

  it('serves schemas and validates plugin configs', async () => {
    const s = await call('GET', '/schemas/plugins/api-waf');
    expect(s.status).toBe(200);
    expect(s.body.fields[0].config).toMatchObject({ type: 'record', required: true });
    expect(s.body.fields[0].config.fields[0].mode).toMatchObject({ type: 'string', one_of: ['off', 'monitoring', 'block'] });
    expect((await call('GET', '/schemas/plugins/nope')).body).toEqual({ message: "No plugin named 'nope'" });
    const svcSchema = await call('GET', '/schemas/services');
    expect(svcSchema.body.fields.map((f: object) => Object.keys(f)[0])).toContain('connect_timeout');
    expect((await call('GET', '/schemas/nope')).status).toBe(404);
    expect((await call('POST', '/schemas/plugins/validate', { name: 'api-waf', config: { mode: 'off' } })).body).toEqual({ message: 'schema validation successful' });
    const bad = await call('POST', '/schemas/plugins/validate', { name: 'api-waf', config: { paranoia_level: 7 } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual({ config: { paranoia_level: 'value should be between 1 and 4' } });
    expect(store.snapshot().plugins).toHaveLength(0);
    expect((await call('GET', '/config')).status).toBe(400);
  });
});

describe('Admin API, DB-less mode', () => {
  beforeEach(() => start('off', FIXTURE));

  it('refuses writes with 405 and Kong body', async () => {
    const res = await call('POST', '/services', { host: 'h' });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ code: 12, name: 'operation unsupported', message: "cannot create 'services' entities when not using a database" });
    expect((await call('PATCH', '/routes/echo-route', { paths: ['/x'] })).status).toBe(405);
    expect((await call('GET', '/services/echo')).status).toBe(200);
    expect((await call('GET', '/status')).body.configuration_hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('GET /config exports and POST /config replaces, refusing bad configs', async () => {
    const exported = await call('GET', '/config');
    expect(exported.body.config).toContain('_format_version: "3.0"');
    const bad = await call('POST', '/config', { _format_version: '3.0', plugins: [{ name: 'api-waf', config: { mode: 'x' } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(14);
    expect(bad.body.fields).toEqual({ plugins: [{ config: { mode: 'expected one of: off, monitoring, block' } }] });
    expect(store.snapshot().services).toHaveLength(2);
    const ok = await call('POST', '/config', 'services:\n  - name: only\n    host: h\n_format_version: "3.0"\n', 'application/yaml');
    expect(ok.status).toBe(201);
    expect(Object.values(ok.body.services).map((s: any) => s.name)).toEqual(['only']); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(store.snapshot().services.map((s) => s.name)).toEqual(['only']);
    const same = await call('POST', '/config?check_hash=1', 'services:\n  - name: only\n    host: h\n_format_version: "3.0"\n', 'application/yaml');
    expect(same.status).toBe(304);
    const wrapped = await call('POST', '/config', { config: exported.body.config });
    expect(wrapped.status).toBe(201);
    expect(store.snapshot().services).toHaveLength(2);
  });
});
