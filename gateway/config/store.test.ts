import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigStore, DECLARATIVE_DEFAULT_WORKSPACE_ID } from './store';
import { KongDaoError } from './errors';
import { fixtureCatalog } from './testing/fixture-catalog';

const FIXTURE = path.join(__dirname, '../../spec/fixtures/config/kong.yaml');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfgstore-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('DB mode', () => {
  it('seeds from kong.yaml once, persists writes, and survives a re-open', async () => {
    const catalog = fixtureCatalog();
    const a = await ConfigStore.open({ mode: 'db', dataDir: dir, declarativeFile: FIXTURE, catalog });
    expect(a.snapshot().services).toHaveLength(2);
    const seen: number[] = [];
    a.onChange((s) => seen.push(s.version));
    const svc = a.insert('services', { name: 'new', host: 'h' });
    a.delete('services', a.snapshot().services.find((s) => s.name === null)!.id);
    expect(seen).toHaveLength(2);

    const b = await ConfigStore.open({ mode: 'db', dataDir: dir, declarativeFile: FIXTURE, catalog });
    expect(b.snapshot().services.map((s) => s.name).sort()).toEqual(['echo', 'new']);
    expect(b.select('services', svc.id)).toEqual(svc);
    expect(b.snapshot().workspaceId).toBe(a.snapshot().workspaceId);
  });

  it('a refused write changes nothing and does not notify', async () => {
    const s = await ConfigStore.open({ mode: 'db', dataDir: dir, catalog: fixtureCatalog() });
    let calls = 0;
    s.onChange(() => calls++);
    const before = s.snapshot();
    expect(() => s.insert('plugins', { name: 'api-waf', config: { mode: 'x' } })).toThrow(KongDaoError);
    expect(s.snapshot()).toBe(before);
    expect(calls).toBe(0);
  });
});

describe('DB-less mode', () => {
  it('refuses entity writes as Kong does', async () => {
    const s = await ConfigStore.open({ mode: 'off', declarativeFile: FIXTURE, catalog: fixtureCatalog() });
    expect(s.snapshot().workspaceId).toBe(DECLARATIVE_DEFAULT_WORKSPACE_ID);
    const msg = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return (e as KongDaoError).body;
      }
      return undefined;
    };
    expect(msg(() => s.insert('services', { host: 'h' }))).toEqual({ code: 12, name: 'operation unsupported', message: "cannot create 'services' entities when not using a database" });
    expect(msg(() => s.update('services', 'echo', {}))).toMatchObject({ message: "cannot update 'services' entities by 'name' when not using a database" });
    expect(msg(() => s.delete('routes', 'echo-route'))).toMatchObject({ message: "cannot remove 'routes' entities by 'name' when not using a database" });
  });

  it('POST /config replaces everything after validation; a bad config changes nothing', async () => {
    const s = await ConfigStore.open({ mode: 'off', dataDir: dir, catalog: fixtureCatalog() });
    expect(s.configurationHash()).toBe('0'.repeat(32));
    const v0 = s.snapshot();
    expect(() => s.loadDeclarative('_format_version: "3.0"\nservices:\n  - name: x')).toThrow(KongDaoError);
    expect(s.snapshot()).toBe(v0);
    const out = s.loadDeclarative(fs.readFileSync(FIXTURE, 'utf8'));
    expect(Object.keys(out.services)).toHaveLength(2);
    expect(s.snapshot().version).toBe(v0.version + 1);
    expect(s.configurationHash()).toMatch(/^[0-9a-f]{32}$/);
    // kept across restarts when no declarative file is given, like Kong's LMDB
    const again = await ConfigStore.open({ mode: 'off', dataDir: dir, catalog: fixtureCatalog() });
    expect(again.snapshot().plugins).toHaveLength(4);
    expect(again.exportYaml()).toContain('name: echo');
  });
});
