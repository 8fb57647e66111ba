/**
 * Kong's hand-written Admin API endpoints: node info and schemas (`kong/api/routes/kong.lua`),
 * status (`health.lua`), enabled plugins (`plugins.lua`) and declarative config (`config.lua`).
 */
import * as os from 'node:os';
import type { ConfigStore } from '../config/store';
import type { PluginCatalog } from '../config/types';
import { ENTITY_NAMES, type EntityName } from '../config/entities';
import { loadPluginSchema } from '../config/plugin-schemas';
import { KongDaoError, daoErrors } from '../config/errors';
import { isObject } from '../config/kong-schema';
import { inferArgs } from './form-args';
import { KONG_VERSION } from './http-io';
import type { Reply } from './entity-endpoints';

export interface ServerStats {
  connections_active: number;
  connections_reading: number;
  connections_writing: number;
  connections_waiting: number;
  connections_accepted: number;
  connections_handled: number;
  total_requests: number;
}

export interface NodeInfoOptions {
  /** Extra `configuration` entries for `GET /` (proxy_listen, pluginserver_names, ...). */
  configuration?: Record<string, unknown>;
  /** Proxy counters for `GET /status`. */
  serverStats?: () => Partial<ServerStats>;
  nodeId: string;
}

export interface KongRequest {
  method: string;
  segments: string[];
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  rawBody: string;
  contentType: string;
  isForm: boolean;
}

/** `schema_to_jsonable`: functions (custom validators, subschema lookups) are dropped. */
function jsonable(schema: { fields: unknown; entity_checks?: unknown }): { entity_checks: unknown; fields: unknown } {
  return JSON.parse(JSON.stringify({ entity_checks: schema.entity_checks ?? [], fields: schema.fields })) as {
    entity_checks: unknown;
    fields: unknown;
  };
}

export class KongEndpoints {
  constructor(
    private readonly store: ConfigStore,
    private readonly catalog: PluginCatalog,
    private readonly opts: NodeInfoOptions,
  ) {}

  handle(req: KongRequest): Reply | null {
    const path = '/' + req.segments.join('/');
    const [a, b, c] = req.segments;
    if (path === '/') return req.method === 'GET' ? this.nodeInfo() : null;
    if (path === '/status') return req.method === 'GET' ? this.status() : null;
    if (path === '/endpoints') return req.method === 'GET' ? this.endpoints() : null;
    if (path === '/config') return this.config(req);
    if (path === '/plugins/enabled') return req.method === 'GET' ? this.enabledPlugins() : null;
    if (a === 'plugins' && b === 'schema' && c !== undefined && req.segments.length === 3 && req.method === 'GET') {
      const loaded = this.pluginSchema(c);
      if (!loaded) return { status: 404, body: { message: `No plugin named '${c}'` } };
      const config = (loaded.fields as Array<Record<string, { fields?: unknown }>>).find((f) => f.config)?.config;
      return { status: 200, body: jsonable({ fields: config?.fields ?? [] }) };
    }
    if (a !== 'schemas') return null;
    if (req.segments.length === 3 && c === 'validate' && req.method === 'POST') return this.validate(b, req);
    if (req.segments.length === 3 && b === 'plugins' && req.method === 'GET') {
      const loaded = this.pluginSchema(c);
      return loaded ? { status: 200, body: jsonable(loaded) } : { status: 404, body: { message: `No plugin named '${c}'` } };
    }
    if (req.segments.length === 2 && req.method === 'GET') {
      if (!ENTITY_NAMES.includes(b as EntityName)) return { status: 404, body: { message: `No entity named '${b}'` } };
      return { status: 200, body: jsonable(this.store.dao.schemas[b as EntityName]) };
    }
    return null;
  }

  private pluginSchema(name: string) {
    const info = this.catalog.get(name);
    return info ? loadPluginSchema(info).schema : undefined;
  }

  private nodeInfo(): Reply {
    const available: Record<string, { version: string; priority: number }> = {};
    for (const p of this.catalog.list()) available[p.Name] = { version: p.Version, priority: p.Priority };
    return {
      status: 200,
      body: {
        tagline: 'Welcome to kong',
        version: KONG_VERSION,
        edition: 'community',
        hostname: os.hostname(),
        node_id: this.opts.nodeId,
        timers: { running: 0, pending: 0 },
        plugins: { available_on_server: available, enabled_in_cluster: this.store.pluginsInUse() },
        lua_version: 'LuaJIT 2.1.0-20231117 (emulated by kong-api-shield)',
        configuration: {
          database: this.store.mode === 'off' ? 'off' : 'postgres',
          role: 'traditional',
          router_flavor: 'traditional_compatible',
          plugins: ['bundled', ...this.catalog.list().map((p) => p.Name)],
          loaded_plugins: Object.fromEntries(this.catalog.list().map((p) => [p.Name, true])),
          ...this.opts.configuration,
        },
        pids: { master: process.pid, workers: [process.pid] },
      },
    };
  }

  private status(): Reply {
    const stats: ServerStats = {
      connections_active: 0, connections_reading: 0, connections_writing: 0, connections_waiting: 0,
      connections_accepted: 0, connections_handled: 0, total_requests: 0,
      ...(this.opts.serverStats?.() ?? {}),
    };
    const mem = process.memoryUsage();
    const body: Record<string, unknown> = {
      memory: {
        workers_lua_vms: [{ pid: process.pid, http_allocated_gc: `${(mem.heapUsed / 1048576).toFixed(2)} MiB` }],
        lua_shared_dicts: {},
      },
      server: stats,
    };
    if (this.store.mode === 'off') body.configuration_hash = this.store.configurationHash();
    else body.database = { reachable: true };
    return { status: 200, body };
  }

  private endpoints(): Reply {
    const data = ['/', '/config', '/endpoints', '/plugins/enabled', '/schemas/{name}', '/schemas/plugins/{name}',
      '/schemas/plugins/validate', '/schemas/{db_entity_name}/validate', '/status'];
    for (const e of ENTITY_NAMES) data.push(`/${e}`, `/${e}/{${e}}`);
    data.push('/routes/{routes}/service', '/services/{services}/routes', '/services/{services}/routes/{routes}',
      '/plugins/{plugins}/route', '/plugins/{plugins}/service', '/plugins/{plugins}/consumer',
      '/routes/{routes}/plugins', '/routes/{routes}/plugins/{plugins}', '/services/{services}/plugins',
      '/services/{services}/plugins/{plugins}', '/consumers/{consumers}/plugins', '/consumers/{consumers}/plugins/{plugins}');
    data.sort((x, y) => (x.replace(/\//g, '\x00') < y.replace(/\//g, '\x00') ? -1 : 1));
    return { status: 200, body: { data } };
  }

  private enabledPlugins(): Reply {
    return { status: 200, body: { enabled_plugins: this.catalog.list().map((p) => p.Name) } };
  }

  private validate(name: string, req: KongRequest): Reply {
    if (!ENTITY_NAMES.includes(name as EntityName)) return { status: 404, body: { message: `No entity named '${name}'` } };
    const entity = name as EntityName;
    const body = req.isForm ? inferArgs(structuredClone(req.body), this.store.dao.schemas[entity]) : req.body;
    try {
      this.store.validateEntity(entity, body);
    } catch (e) {
      if (e instanceof KongDaoError && e.body.code === 2) return { status: 400, body: e.body };
      throw e;
    }
    return { status: 200, body: { message: 'schema validation successful' } };
  }

  private config(req: KongRequest): Reply | null {
    if (req.method !== 'GET' && req.method !== 'POST') return null;
    if (this.store.mode !== 'off') {
      return { status: 400, body: { message: 'this endpoint is only available when Kong is configured to not use a database' } };
    }
    if (req.method === 'GET') return { status: 200, body: { config: this.store.exportYaml() } };
    const checkHash = String(req.query.check_hash ?? req.body.check_hash ?? '') === '1';
    let input: string | Record<string, unknown>;
    if (isObject(req.body) && req.body._format_version !== undefined) {
      input = { ...req.body };
      delete input.check_hash;
      delete input.flatten_errors;
    } else if (typeof req.body.config === 'string') input = req.body.config;
    else if (req.rawBody.length > 0 && !req.contentType.startsWith('application/json') && !req.isForm) input = req.rawBody;
    else return { status: 400, body: { message: 'expected a declarative configuration' } };
    if (checkHash && !this.store.wouldChangeHash(input)) return { status: 304 };
    try {
      return { status: 201, body: this.store.loadDeclarative(input) };
    } catch (e) {
      if (e instanceof KongDaoError) return { status: 400, body: e.body };
      throw e;
    }
  }
}

export { daoErrors };
