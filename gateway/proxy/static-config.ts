/**
 * A minimal in-memory ConfigSource, used by driver/proxy tests and as the gateway's fallback until the
 * full ConfigStore (gateway/config) is available. It can read the common subset of a declarative
 * `kong.yaml` (services with `url` and nested routes/plugins, routes, consumers, global plugins) and
 * fills plugin config defaults from the plugin schema. No validation beyond that: the real
 * ConfigStore does Kong's schema validation.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import YAML from 'yaml';
import type {
  ConfigSnapshot,
  ConfigSource,
  Consumer,
  KongFieldDef,
  Plugin,
  PluginCatalog,
  Route,
  Service,
} from '../config/types';

export const DEFAULT_WORKSPACE_ID = '0dc6f45b-8f8d-40d2-a504-473544ee190b';

export class StaticConfigSource implements ConfigSource {
  private current: ConfigSnapshot;
  private readonly listeners = new Set<(s: ConfigSnapshot) => void>();

  constructor(initial?: Partial<ConfigSnapshot>) {
    this.current = { version: 1, workspaceId: DEFAULT_WORKSPACE_ID, services: [], routes: [], consumers: [], plugins: [], ...initial };
  }

  snapshot(): ConfigSnapshot {
    return this.current;
  }

  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the configuration (a new snapshot with a higher version). */
  set(next: Partial<Omit<ConfigSnapshot, 'version'>>): ConfigSnapshot {
    this.current = { ...this.current, ...next, version: this.current.version + 1 };
    for (const l of this.listeners) l(this.current);
    return this.current;
  }

  update(fn: (s: ConfigSnapshot) => Partial<Omit<ConfigSnapshot, 'version'>>): ConfigSnapshot {
    return this.set(fn(this.current));
  }
}

const now = (): number => Math.floor(Date.now() / 1000);

export function uuid(): string {
  return crypto.randomUUID();
}

export function makeService(p: Partial<Service> & { host: string; port: number }): Service {
  const t = now();
  return {
    id: uuid(), name: null, protocol: 'http', path: null, retries: 5, connect_timeout: 60000, write_timeout: 60000,
    read_timeout: 60000, tags: null, enabled: true, created_at: t, updated_at: t, ...p,
  };
}

export function makeRoute(p: Partial<Route>): Route {
  const t = now();
  return {
    id: uuid(), name: null, protocols: ['http', 'https'], methods: null, hosts: null, paths: null, headers: null,
    strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0', https_redirect_status_code: 426,
    request_buffering: true, response_buffering: true, tags: null, service: null, created_at: t, updated_at: t, ...p,
  };
}

export function makeConsumer(p: Partial<Consumer>): Consumer {
  const t = now();
  return { id: uuid(), username: null, custom_id: null, tags: null, created_at: t, updated_at: t, ...p };
}

export function makePlugin(p: Partial<Plugin> & { name: string }, catalog?: PluginCatalog): Plugin {
  const t = now();
  const info = catalog?.get(p.name);
  const fields = info?.Schema.fields.find((f) => 'config' in f)?.config?.fields ?? [];
  return {
    id: uuid(), instance_name: null, protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true, route: null, service: null,
    consumer: null, tags: null, created_at: t, updated_at: t, ...p,
    config: fillDefaults(p.config ?? {}, fields),
  };
}

/** Schema defaults for absent fields, null for unset ones (Kong stores the full config). */
export function fillDefaults(config: Record<string, unknown>, fields: KongFieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of fields) {
    const [name, spec] = Object.entries(def)[0] ?? [];
    if (!name || !spec) continue;
    const given = config[name];
    if (given !== undefined) {
      out[name] = spec.type === 'record' && spec.fields && given && typeof given === 'object' ? fillDefaults(given as Record<string, unknown>, spec.fields) : given;
    } else if (spec.default !== undefined) out[name] = structuredClone(spec.default);
    else if (spec.type === 'record' && spec.fields) out[name] = fillDefaults({}, spec.fields);
    else out[name] = null;
  }
  for (const [k, v] of Object.entries(config)) if (!(k in out)) out[k] = v;
  return out;
}

type Raw = Record<string, unknown>;

function parseUrl(url: string): Pick<Service, 'protocol' | 'host' | 'port' | 'path'> {
  const u = new URL(url);
  const protocol = u.protocol.replace(':', '') as Service['protocol'];
  const port = u.port ? Number(u.port) : protocol === 'https' || protocol === 'grpcs' ? 443 : 80;
  return { protocol, host: u.hostname, port, path: u.pathname && u.pathname !== '/' ? u.pathname : u.pathname === '/' && url.endsWith('/') ? '/' : null };
}

/** Loads the common subset of a declarative kong.yaml into a snapshot. */
export function loadKongYaml(file: string, catalog?: PluginCatalog): Omit<ConfigSnapshot, 'version' | 'workspaceId'> {
  const doc = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as Raw;
  const services: Service[] = [];
  const routes: Route[] = [];
  const consumers: Consumer[] = [];
  const plugins: Plugin[] = [];
  const byName = { service: new Map<string, Service>(), route: new Map<string, Route>(), consumer: new Map<string, Consumer>() };

  const addPlugins = (list: unknown, scope: Partial<Plugin>): void => {
    for (const p of (list as Raw[] | undefined) ?? []) {
      plugins.push(makePlugin({ ...(p as Partial<Plugin>), name: String(p.name), config: (p.config as Raw) ?? {}, ...scope }, catalog));
    }
  };
  const addRoute = (r: Raw, service: Service | null): void => {
    const { plugins: rp, service: _svc, ...rest } = r;
    void _svc;
    const route = makeRoute({ ...(rest as Partial<Route>), service: service ? { id: service.id } : null });
    routes.push(route);
    if (route.name) byName.route.set(route.name, route);
    addPlugins(rp, { route: { id: route.id } });
  };

  for (const s of (doc.services as Raw[] | undefined) ?? []) {
    const { url, routes: sr, plugins: sp, ...rest } = s;
    const service = makeService({ ...(rest as Partial<Service>), ...(typeof url === 'string' ? parseUrl(url) : {}) } as Service);
    services.push(service);
    if (service.name) byName.service.set(service.name, service);
    for (const r of (sr as Raw[] | undefined) ?? []) addRoute(r, service);
    addPlugins(sp, { service: { id: service.id } });
  }
  for (const r of (doc.routes as Raw[] | undefined) ?? []) {
    const svc = typeof r.service === 'string' ? byName.service.get(r.service) ?? null : null;
    addRoute(r, svc);
  }
  for (const c of (doc.consumers as Raw[] | undefined) ?? []) {
    const consumer = makeConsumer({ id: (c.id as string) ?? uuid(), username: (c.username as string) ?? null, custom_id: (c.custom_id as string) ?? null });
    consumers.push(consumer);
    if (consumer.username) byName.consumer.set(consumer.username, consumer);
    addPlugins(c.plugins, { consumer: { id: consumer.id } });
  }
  for (const p of (doc.plugins as Raw[] | undefined) ?? []) {
    const ref = (kind: 'service' | 'route' | 'consumer'): { id: string } | null => {
      const v = p[kind];
      if (typeof v !== 'string') return null;
      const e = byName[kind].get(v);
      return { id: e ? e.id : v };
    };
    addPlugins([p], { service: ref('service'), route: ref('route'), consumer: ref('consumer') });
  }
  return { services, routes, consumers, plugins };
}
