import { EntityDao, emptyTables, type Tables } from './dao';
import { KongDaoError } from './errors';
import { fixtureCatalog } from './testing/fixture-catalog';

function setup(): { dao: EntityDao; t: Tables } {
  return { dao: new EntityDao(fixtureCatalog(), () => 1700000000), t: emptyTables() };
}

function errorOf(fn: () => unknown): KongDaoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KongDaoError) return e;
    throw e;
  }
  throw new Error('expected a KongDaoError');
}

describe('services', () => {
  it('expands the url shorthand and fills defaults', () => {
    const { dao, t } = setup();
    const s = dao.insert(t, 'services', { name: 'echo', url: 'https://example.com:8443/api' });
    expect(s).toMatchObject({
      name: 'echo', protocol: 'https', host: 'example.com', port: 8443, path: '/api', retries: 5,
      connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, enabled: true, tags: null,
      created_at: 1700000000, updated_at: 1700000000, tls_verify: null, client_certificate: null,
    });
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(dao.insert(t, 'services', { url: 'http://h' })).toMatchObject({ port: 80, path: null });
  });

  it('reports a missing host as a schema violation with Kong message and code', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'services', { name: 'x' }));
    expect(e.status).toBe(400);
    expect(e.body).toEqual({
      code: 2, name: 'schema violation', message: 'schema violation (host: required field missing)',
      fields: { host: 'required field missing' },
    });
  });

  it('validates host, port, path and name', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'services', { name: 'bad name', host: 'a:80', port: 70000, path: 'x' }));
    expect(e.body.fields).toEqual({
      name: "invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~",
      host: 'must not have a port',
      port: 'value should be between 0 and 65535',
      path: 'should start with: /',
    });
    expect(e.body.message).toMatch(/^4 schema violations \(/);
  });

  it('refuses a duplicate name with a unique violation (409)', () => {
    const { dao, t } = setup();
    dao.insert(t, 'services', { name: 'a', host: 'h' });
    const e = errorOf(() => dao.insert(t, 'services', { name: 'a', host: 'h2' }));
    expect(e.status).toBe(409);
    expect(e.body).toMatchObject({ code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{name="a"}'`, fields: { name: 'a' } });
  });

  it('grpc services cannot have a path', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'services', { host: 'h', protocol: 'grpc', path: '/x' }));
    expect(e.body.fields).toEqual({ path: 'value must be null', '@entity': ["failed conditional validation given value of field 'protocol'"] });
  });
});

describe('routes', () => {
  it('needs one of methods/hosts/headers/paths for http', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'routes', { name: 'r' }));
    expect(e.body.fields).toEqual({ '@entity': ["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"] });
    const e2 = errorOf(() => dao.insert(t, 'routes', { protocols: ['http'] }));
    expect(e2.body.fields).toEqual({ '@entity': ["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"] });
  });

  it('fills defaults and validates paths and protocols', () => {
    const { dao, t } = setup();
    const r = dao.insert(t, 'routes', { paths: ['/a'] });
    expect(r).toMatchObject({ protocols: ['http', 'https'], strip_path: true, preserve_host: false, path_handling: 'v0', regex_priority: 0, https_redirect_status_code: 426, service: null, methods: null });
    const e = errorOf(() => dao.insert(t, 'routes', { paths: ['a', '/b//c', '/x/../y'], protocols: ['http', 'tcp'] }));
    expect(e.body.fields).toEqual({
      paths: ['should start with: / (fixed path) or ~/ (regex path)', 'must not have empty segments', "non-normalized path, consider use '/y' instead"],
      protocols: "these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')",
    });
  });

  it('resolves a service given by name, and refuses an unknown service id', () => {
    const { dao, t } = setup();
    const s = dao.insert(t, 'services', { name: 'svc', host: 'h' });
    expect(dao.insert(t, 'routes', { paths: ['/'], service: { name: 'svc' } }).service).toEqual({ id: s.id });
    const unresolved = errorOf(() => dao.insert(t, 'routes', { paths: ['/'], service: { name: 'nope' } }));
    expect(unresolved.body).toMatchObject({ code: 13, fields: { service: { name: `the foreign key cannot be resolved with '{name="nope"}' for an existing 'services' entity` } } });
    const id = '7d2b0d3e-6b1e-4a3c-9a53-58a3e0f0a111';
    const e = errorOf(() => dao.insert(t, 'routes', { paths: ['/'], service: { id } }));
    expect(e.body).toEqual({
      code: 4, name: 'foreign key violation',
      message: `the foreign key '{id="${id}"}' does not reference an existing 'services' entity.`,
      fields: { service: { id } },
    });
  });
});

describe('consumers and plugins', () => {
  it('consumers need a username or custom_id', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'consumers', {}));
    expect(e.body.fields).toEqual({ '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] });
  });

  it('plugin: unknown name is "not enabled", bad config is a schema violation, config is filled', () => {
    const { dao, t } = setup();
    const e = errorOf(() => dao.insert(t, 'plugins', { name: 'nope' }));
    expect(e.body.fields).toEqual({ name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" });
    const bad = errorOf(() => dao.insert(t, 'plugins', { name: 'api-waf', config: { mode: 'x' } }));
    expect(bad.body).toEqual({
      code: 2, name: 'schema violation',
      message: 'schema violation (config.mode: expected one of: off, monitoring, block)',
      fields: { config: { mode: 'expected one of: off, monitoring, block' } },
    });
    const p = dao.insert(t, 'plugins', { name: 'api-waf' });
    expect(p).toMatchObject({ enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], route: null, service: null, consumer: null, instance_name: null });
    expect((p.config as Record<string, unknown>).mode).toBe('block');
  });

  it('the same plugin twice on the same scope violates the cache key', () => {
    const { dao, t } = setup();
    dao.insert(t, 'plugins', { name: 'api-waf' });
    const e = errorOf(() => dao.insert(t, 'plugins', { name: 'api-waf' }));
    expect(e.body.message).toBe(`UNIQUE violation detected on '{consumer=null,name="api-waf",route=null,service=null}'`);
  });

  it('PATCH merges config; delete cascades to plugins and is refused for services with routes', () => {
    const { dao, t } = setup();
    const s = dao.insert(t, 'services', { name: 's', host: 'h' });
    const r = dao.insert(t, 'routes', { name: 'r', paths: ['/'], service: { id: s.id } });
    const p = dao.insert(t, 'plugins', { name: 'api-waf', route: { id: r.id }, config: { paranoia_level: 3 } });
    const u = dao.update(t, 'plugins', p.id, { config: { mode: 'off' } });
    expect(u.config).toMatchObject({ mode: 'off', paranoia_level: 3 });
    const e = errorOf(() => dao.delete(t, 'services', 's'));
    expect(e.body).toEqual({ code: 4, name: 'foreign key violation', message: "an existing 'routes' entity references this 'services' entity", fields: { '@referenced_by': 'routes' } });
    dao.delete(t, 'routes', 'r');
    expect(t.plugins.size).toBe(0);
    const nf = errorOf(() => dao.update(t, 'routes', 'r', { paths: ['/x'] }));
    expect(nf.body).toMatchObject({ code: 6, message: `could not find the entity with '{name="r"}'` });
  });

  it('paginates by id with an opaque offset and validates size', () => {
    const { dao, t } = setup();
    for (let i = 0; i < 5; i++) dao.insert(t, 'consumers', { username: `u${i}`, tags: i % 2 ? ['odd'] : ['even'] });
    const p1 = dao.page(t, 'consumers', { size: 2 });
    expect(p1.data).toHaveLength(2);
    const p2 = dao.page(t, 'consumers', { size: 2, offset: p1.offset });
    const p3 = dao.page(t, 'consumers', { size: 2, offset: p2.offset });
    expect(p3.offset).toBeUndefined();
    expect(new Set([...p1.data, ...p2.data, ...p3.data].map((c) => c.username)).size).toBe(5);
    expect(dao.page(t, 'consumers', { tags: 'odd' }).data).toHaveLength(2);
    expect(errorOf(() => dao.page(t, 'consumers', { size: 'x' })).body.message).toBe('size must be a number');
    expect(errorOf(() => dao.page(t, 'consumers', { size: 1001 })).body.message).toBe('size must be an integer between 1 and 1000');
    expect(errorOf(() => dao.page(t, 'consumers', { offset: '!!' })).body.code).toBe(7);
  });
});
