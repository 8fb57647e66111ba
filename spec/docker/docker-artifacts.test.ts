/**
 * Static validation of the Docker artifacts (no Docker engine on our machines, so they cannot be run here):
 * the compose file's structure and every file, stage, port, env var and socket it refers to, the Dockerfile's
 * stages and COPY sources, and the pluginserver settings Kong needs, checked against the real build output
 * (`npm run build` runs before the tests) and the real pluginserver query.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDockerfile, parseEnvPairs } from './dockerfile';
import { DeclarativeLoader, pluginSchemaProblem } from '../../gateway/config';
import type { PluginInfo } from '../../gateway/config/types';
import { PLUGINSERVER_V8_FLAGS } from '../../gateway/pluginserver/v8-flags';

const root = path.resolve(__dirname, '../..');
const IMAGE_ROOT = '/opt/kong-api-shield';
// merge: compose files use YAML merge keys (`<<: *kong-env`)
const compose = parseYaml(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const dockerfile = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const builtPlugins = fs.existsSync(path.join(root, 'dist/kong-plugins'))
  ? fs.readdirSync(path.join(root, 'dist/kong-plugins')).sort()
  : [];

interface ComposeService {
  build?: { context: string; target?: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  profiles?: string[];
  healthcheck?: { test: string[] };
}

const kongEnv = dockerfile.env.get('kong') ?? new Map<string, string>();
const splitList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const envKey = (name: string): string => name.toUpperCase().replace(/-/g, '_');
/** A path inside the image, mapped back to the repository (dist/ and node_modules/ are built here too). */
const inRepo = (imagePath: string): string => path.join(root, path.relative(IMAGE_ROOT, imagePath));

describe('docker-compose.yml', () => {
  const hasCompose = spawnSync('docker-compose', ['--version']).status === 0;

  (hasCompose ? it : it.skip)('passes `docker-compose config` for the default and the postgres profile', () => {
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: root });
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'postgres', 'config', '-q'], { cwd: root });
  });

  it('has the services the demo needs: DB-less kong, upstream, collector, redis; kong-pg behind a profile', () => {
    const names = Object.keys(compose.services);
    for (const s of ['kong', 'upstream', 'collector', 'redis']) expect(names).toContain(s);
    expect(compose.services.kong.profiles).toBeUndefined();
    expect(compose.services.kong.environment?.KONG_DATABASE).toBe('off');
    for (const s of ['kong-database', 'kong-migrations', 'kong-pg']) expect(compose.services[s].profiles).toEqual(['postgres']);
    expect(compose.services['kong-migrations'].command).toEqual(['kong', 'migrations', 'bootstrap']);
    expect(compose.services['kong-pg'].environment?.KONG_DATABASE).toBe('postgres');
  });

  it('builds only from stages that exist, with the files the commands run', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      expect(fs.existsSync(path.join(root, svc.build.context, svc.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      expect(dockerfile.stages).toContain(svc.build.target);
      const cmd = svc.command;
      if (cmd && cmd[0] === 'node') {
        const script = cmd[1];
        expect({ name, exists: fs.existsSync(path.join(root, script)) }).toEqual({ name, exists: true });
      }
    }
  });

  it('refers only to existing services, files and named volumes; ports are well formed and unique', () => {
    const hostPorts = new Set<string>();
    for (const [name, svc] of Object.entries(compose.services)) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const d of deps) expect({ name, dep: d, exists: d in compose.services }).toEqual({ name, dep: d, exists: true });
      for (const v of svc.volumes ?? []) {
        const src = v.split(':')[0];
        if (src.startsWith('.') || src.startsWith('/')) expect(fs.existsSync(path.join(root, src))).toBe(true);
        else expect(Object.keys(compose.volumes ?? {})).toContain(src);
      }
      for (const p of svc.ports ?? []) {
        expect(p).toMatch(/^\d{1,5}:\d{1,5}$/);
        const host = p.split(':')[0];
        expect(hostPorts.has(host)).toBe(false);
        hostPorts.add(host);
      }
    }
    expect(compose.services.kong.ports).toEqual(expect.arrayContaining(['8000:8000', '8001:8001']));
  });

  it('mounts kong.yaml where KONG_DECLARATIVE_CONFIG points', () => {
    const kong = compose.services.kong;
    const target = kong.environment?.KONG_DECLARATIVE_CONFIG;
    expect(kong.volumes).toContain(`./kong.yaml:${target}:ro`);
  });

  it('gives Kong every env var kong.yaml refers to through the env vault, and keeps it in the nginx workers', () => {
    const yamlText = fs.readFileSync(path.join(root, 'kong.yaml'), 'utf8');
    const refs = [...yamlText.matchAll(/\{vault:\/\/env\/([a-z0-9_-]+)\}/gi)].map((m) => envKey(m[1]));
    const pepperEnvs = [...yamlText.matchAll(/pepper_env:\s*([A-Z0-9_]+)/g)].map((m) => m[1]);
    const env = compose.services.kong.environment ?? {};
    const mainEnv = env.KONG_NGINX_MAIN_ENV ?? '';
    for (const v of [...refs, ...pepperEnvs]) {
      expect({ v, set: v in env }).toEqual({ v, set: true });
      expect({ v, kept: mainEnv.includes(v) }).toEqual({ v, kept: true });
    }
  });

  it('points kong.yaml services at compose services and ports that exist', () => {
    const doc = parseYaml(fs.readFileSync(path.join(root, 'kong.yaml'), 'utf8')) as { services?: Array<{ url?: string; host?: string; port?: number }> };
    for (const s of doc.services ?? []) {
      const u = s.url ? new URL(s.url) : null;
      const host = u ? u.hostname : s.host;
      const port = u ? u.port : String(s.port);
      expect(Object.keys(compose.services)).toContain(host);
      expect(compose.services[host as string].expose ?? []).toContain(port);
    }
  });
});

describe('Dockerfile', () => {
  const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

  it('has the build, app and kong stages on Kong 3.x and Node 20', () => {
    expect(dockerfile.stages).toEqual(['build', 'app', 'kong']);
    const args = dockerfile.instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args);
    expect(args).toContain('KONG_VERSION=3.9.3');
    expect(args.some((a) => /^NODE_IMAGE=node:20-/.test(a))).toBe(true);
  });

  it('copies only sources that exist and are not excluded by .dockerignore; --from names earlier stages', () => {
    for (const ins of dockerfile.instructions.filter((i) => i.keyword === 'COPY')) {
      const parts = ins.args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='));
      const files = parts.filter((p) => !p.startsWith('--'));
      const sources = files.slice(0, -1);
      if (from) {
        const stage = from.slice('--from='.length);
        expect(dockerfile.stages.indexOf(stage)).toBeGreaterThanOrEqual(0);
        expect(dockerfile.stages.indexOf(stage)).toBeLessThan(dockerfile.stages.indexOf(ins.stage));
        continue;
      }
      for (const src of sources) {
        expect({ line: ins.line, src, exists: fs.existsSync(path.join(root, src)) }).toEqual({ line: ins.line, src, exists: true });
        expect({ line: ins.line, src, ignored: ignored.includes(src) }).toEqual({ line: ins.line, src, ignored: false });
      }
    }
  });

  it('configures one pluginserver per built plugin, with matching sockets, directories and our server entry', () => {
    expect(builtPlugins.length).toBeGreaterThanOrEqual(2);
    expect(splitList(kongEnv.get('KONG_PLUGINS'))).toEqual(['bundled', ...builtPlugins]);
    expect(splitList(kongEnv.get('KONG_PLUGINSERVER_NAMES'))).toEqual(builtPlugins);
    for (const name of builtPlugins) {
      const key = `KONG_PLUGINSERVER_${envKey(name)}`;
      const socket = kongEnv.get(`${key}_SOCKET`) as string;
      const start = kongEnv.get(`${key}_START_CMD`) as string;
      const query = kongEnv.get(`${key}_QUERY_CMD`) as string;
      expect([socket, start, query].every(Boolean)).toBe(true);
      const argOf = (cmd: string, flag: string): string | undefined => {
        const words = cmd.split(/\s+/);
        const i = words.indexOf(flag);
        return i >= 0 ? words[i + 1] : undefined;
      };
      expect(path.join(argOf(start, '--kong-prefix') as string, argOf(start, '--sock-name') as string)).toBe(socket);
      const pluginDir = `${IMAGE_ROOT}/dist/kong-plugins/${name}`;
      expect(argOf(start, '--plugins-directory')).toBe(pluginDir);
      expect(argOf(query, '--plugins-directory')).toBe(pluginDir);
      expect(query).toContain('--dump-all-plugins');
      // the same young-generation flags as the local gateway and the benchmark (gateway/pluginserver/v8-flags.ts)
      for (const flag of PLUGINSERVER_V8_FLAGS) expect(start.split(/\s+/)).toContain(flag);
      // absolute paths only: Kong runs these commands with a limited PATH
      for (const cmd of [start, query]) {
        const words = cmd.split(/\s+/).filter((w) => !w.includes('='));
        expect(words[0].startsWith('/')).toBe(true);
        const script = words.find((w) => w.endsWith('.js')) as string;
        expect(fs.existsSync(inRepo(script))).toBe(true);
      }
    }
  });

  it('the query command, run against the build output, prints exactly one clean JSON line per plugin', () => {
    for (const name of builtPlugins) {
      const query = kongEnv.get(`KONG_PLUGINSERVER_${envKey(name)}_QUERY_CMD`) as string;
      const words = query.split(/\s+/).map((w) => (w.startsWith(IMAGE_ROOT) ? inRepo(w) : w));
      const out = execFileSync(process.execPath, words.slice(1), { cwd: '/', encoding: 'utf8' });
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      const dump = JSON.parse(lines[0]) as Array<{ Name: string; Version: string; Priority: number; Phases: string[] }>;
      expect(dump).toHaveLength(1);
      expect(dump[0].Name).toBe(name);
      expect(dump[0].Version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(Number.isInteger(dump[0].Priority)).toBe(true);
      expect(dump[0].Phases).toContain('access');
    }
  });

  it('parses ENV pairs with quotes', () => {
    expect(parseEnvPairs('A=1 B="two words" C=\'x\'')).toEqual([['A', '1'], ['B', 'two words'], ['C', 'x']]);
  });
});

describe('kong.yaml', () => {
  /** The plugins' schemas exactly as Kong gets them: the real pluginserver query of the build output. */
  function catalogFromQuery(): { get(name: string): PluginInfo | undefined; list(): PluginInfo[] } {
    const infos = builtPlugins.map((name) => {
      const out = execFileSync(process.execPath, [path.join(root, 'dist/gateway/pluginserver/server.js'), '--plugins-directory', path.join(root, 'dist/kong-plugins', name), '--dump-all-plugins'], { cwd: '/', encoding: 'utf8' });
      return (JSON.parse(out) as PluginInfo[])[0];
    });
    return { get: (n) => infos.find((i) => i.Name === n), list: () => infos };
  }

  it("passes Kong's declarative-format and metaschema checks, every plugin config valid against its schema", () => {
    const catalog = catalogFromQuery();
    for (const info of catalog.list()) expect({ plugin: info.Name, problem: pluginSchemaProblem(info.Schema) }).toEqual({ plugin: info.Name, problem: null });
    const loader = new DeclarativeLoader(catalog);
    const result = loader.loadText(fs.readFileSync(path.join(root, 'kong.yaml'), 'utf8'));
    expect(result.meta._format_version).toBe('3.0');
    const plugins = [...result.tables.plugins.values()] as unknown as Array<{ name: string; config: Record<string, unknown> }>;
    expect(plugins.map((p) => p.name).sort()).toEqual(['api-waf', 'api-waf', 'api-waf', 'api-waf', 'key-auth-ext']);
    // defaults were filled in as Kong fills them
    for (const p of plugins.filter((x) => x.name === 'api-waf')) expect(p.config.fail_mode).toBe('open');
  });

  it('is rejected when a plugin config breaks its schema (the check can fail)', () => {
    const catalog = catalogFromQuery();
    const loader = new DeclarativeLoader(catalog);
    const broken = fs.readFileSync(path.join(root, 'kong.yaml'), 'utf8').replace('mode: block', 'mode: blocking');
    expect(() => loader.loadText(broken)).toThrow();
  });
});
