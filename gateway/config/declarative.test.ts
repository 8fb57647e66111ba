import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeclarativeLoader } from './declarative';
import { exportDeclarativeYaml } from './declarative-export';
import { KongDaoError } from './errors';
import { declarativeUuid } from './uuid';
import { fixtureCatalog } from './testing/fixture-catalog';
import type { ConfigSnapshot } from './types';

const FIXTURE = fs.readFileSync(path.join(__dirname, '../../spec/fixtures/config/kong.yaml'), 'utf8');
const loader = new DeclarativeLoader(fixtureCatalog(), () => 1700000000);

function snapshotOf(text: string): ConfigSnapshot {
  const { tables } = loader.loadText(text);
  const list = (e: keyof typeof tables) => [...tables[e].values()] as never[];
  return { version: 1, workspaceId: 'w', services: list('services'), routes: list('routes'), consumers: list('consumers'), plugins: list('plugins') };
}

function declError(text: string): KongDaoError {
  try {
    loader.loadText(text);
  } catch (e) {
    if (e instanceof KongDaoError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('declarative config', () => {
  it('loads nested and top-level entities with Kong deterministic ids and references', () => {
    const s = snapshotOf(FIXTURE);
    expect(s.services).toHaveLength(2);
    const echo = s.services.find((x) => x.name === 'echo')!;
    expect(echo.id).toBe(declarativeUuid('services', 'echo'));
    expect(echo).toMatchObject({ host: '127.0.0.1', port: 9000, path: '/base', protocol: 'http', tags: ['demo'] });
    const top = s.routes.find((r) => r.name === 'top-route')!;
    expect(top.service).toEqual({ id: echo.id });
    const nested = s.routes.find((r) => r.name === 'echo-route')!;
    expect(nested.service).toEqual({ id: echo.id });
    expect(s.plugins).toHaveLength(4);
    const onRoute = s.plugins.find((p) => p.route)!;
    expect(onRoute.id).toBe(declarativeUuid('plugins', `plugins:*:key-auth-ext:${nested.id}::`));
    const consumer = s.consumers[0];
    expect(s.plugins.find((p) => p.consumer)!.consumer).toEqual({ id: consumer.id });
    const global = s.plugins.find((p) => p.instance_name === 'global-waf')!;
    expect(global.config).toMatchObject({ mode: 'block', paranoia_level: 1 });
    // ids do not change between loads, even for the unnamed service
    expect(snapshotOf(FIXTURE).services.map((x) => x.id)).toEqual(s.services.map((x) => x.id));
  });

  it('round-trips: exporting and loading again gives the same entities', () => {
    const s = snapshotOf(FIXTURE);
    const yaml = exportDeclarativeYaml(s);
    expect(yaml).toContain('_format_version: "3.0"');
    expect(yaml).toContain('_transform: false');
    const again = snapshotOf(yaml);
    expect(again).toEqual(s);
    expect(exportDeclarativeYaml(again)).toBe(yaml);
  });

  it('reports errors at their place in the file with Kong wording', () => {
    const e = declError(`_format_version: "3.0"
services:
  - name: a
    url: http://x
    routes:
      - name: r1
        paths: ["/ok"]
        plugins:
          - name: api-waf
            config: { mode: nope }
  - name: b
`);
    expect(e.body.code).toBe(14);
    expect(e.body.name).toBe('invalid declarative configuration');
    expect(e.body.fields).toEqual({
      services: [
        { routes: [{ plugins: [{ config: { mode: 'expected one of: off, monitoring, block' } }] }] },
        { host: 'required field missing' },
      ],
    });
    expect(e.body.message).toBe('declarative config is invalid: {services={{routes={{plugins={{config={mode="expected one of: off, monitoring, block"}}}}}},{host="required field missing"}}}');
  });

  it('checks format version, unknown keys, unknown plugins, references and uniqueness', () => {
    expect(declError('services: []').body.fields).toEqual({ _format_version: 'required field missing' });
    expect(declError('_format_version: "3.0"\nfoo: 1').body.fields).toEqual({ foo: 'unknown field' });
    expect(declError('_format_version: "3.0"\nplugins:\n  - name: nope').body.fields).toEqual({
      plugins: [{ name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" }],
    });
    expect(declError('_format_version: "3.0"\nroutes:\n  - name: r\n    paths: ["/"]\n    service: ghost').body.fields).toEqual({
      routes: { r: ["invalid reference 'service: ghost' (no such entry in 'services')"] },
    });
    expect(declError('_format_version: "3.0"\nservices:\n  - {name: a, host: h}\n  - {name: a, host: h}').body.fields).toEqual({
      services: [null, "uniqueness violation: 'services' entity with name set to 'a' already declared"],
    });
    expect(declError('_format_version: "3.0"\nservices:\n  - name: a\n    host: h\n    routes:\n      - {paths: ["/"], service: x}').body.fields).toEqual({
      services: [{ routes: [{ service: 'value must be null' }] }],
    });
    expect(declError('not: [valid').body.fields).toEqual({ error: expect.stringMatching(/^failed parsing declarative configuration/) });
  });

  it('migrates 2.1 regex paths', () => {
    const s = snapshotOf('_format_version: "2.1"\nroutes:\n  - name: r\n    paths: ["/a", "/b/\\\\d+$"]');
    expect(s.routes[0].paths).toEqual(['/a', '~/b/\\d+$']);
  });
});
