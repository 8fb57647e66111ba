/**
 * A Kong-compatible Admin API on node:http (default :8001). Body handling follows
 * `kong/api/api_helpers.lua` (JSON, form-urlencoded with nested keys, YAML for /config only;
 * 415 for other types, 400 "Cannot parse JSON body"), errors follow `kong/api/endpoints.lua`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigStore } from '../config/store';
import type { PluginCatalog } from '../config/types';
import { daoErrors, KongDaoError, type ErrorTree } from '../config/errors';
import { uuidV4 } from '../config/uuid';
import { EntityEndpoints, type Reply } from './entity-endpoints';
import { KongEndpoints, type ServerStats } from './kong-endpoints';
import { normalizeNestedParams } from './form-args';
import { HttpError, readBody, sendJson } from './http-io';

export interface AdminApiOptions {
  store: ConfigStore;
  catalog: PluginCatalog;
  host?: string;
  port?: number;
  configuration?: Record<string, unknown>;
  serverStats?: () => Partial<ServerStats>;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /**
   * Extra plugin-config validation beyond Kong's schema DSL (which cannot run JS), e.g. api-waf compiling its
   * OpenAPI document: asked of the plugin's own server (`plugin.ValidateConfig`, our pluginserver entry's
   * extension; real Kong never calls it). Returns Kong's error tree for `config`, or null.
   */
  validatePluginConfig?: (name: string, config: Record<string, unknown>) => Promise<Record<string, unknown> | null>;
}

export interface AdminApi {
  url: string;
  close(): Promise<void>;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function parseQuery(search: URLSearchParams): Record<string, unknown> {
  return normalizeNestedParams([...search.entries()]);
}

interface ParsedBody {
  body: Record<string, unknown>;
  raw: string;
  isForm: boolean;
}

function parseBody(method: string, path: string, contentType: string, raw: Buffer): ParsedBody {
  const text = raw.toString('utf8');
  if (!BODY_METHODS.has(method)) return { body: {}, raw: text, isForm: false };
  const ct = contentType.toLowerCase();
  if (!ct) {
    if (raw.length === 0) return { body: {}, raw: text, isForm: false };
    throw new HttpError(415, { message: 'Unsupported Media Type' });
  }
  if (ct.startsWith('application/json')) {
    if (raw.length === 0) return { body: {}, raw: text, isForm: false };
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new HttpError(400, { message: 'Cannot parse JSON body' });
    }
    if (typeof v !== 'object' || v === null) throw new HttpError(400, { message: 'Cannot parse JSON body' });
    return { body: Array.isArray(v) ? Object.fromEntries(v.map((x, i) => [String(i + 1), x])) : (v as Record<string, unknown>), raw: text, isForm: false };
  }
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    return { body: normalizeNestedParams([...new URLSearchParams(text).entries()]), raw: text, isForm: true };
  }
  if (path === '/config' && (ct.startsWith('application/yaml') || ct.startsWith('text/yaml'))) {
    return { body: {}, raw: text, isForm: false };
  }
  throw new HttpError(415, { message: 'Unsupported Media Type' });
}

export async function startAdminApi(opts: AdminApiOptions): Promise<AdminApi> {
  const log = opts.log ?? ((level, msg) => (level === 'info' ? undefined : console.error(`[admin] ${level}: ${msg}`)));
  const entities = new EntityEndpoints(opts.store);
  const kong = new KongEndpoints(opts.store, opts.catalog, { configuration: opts.configuration, serverStats: opts.serverStats, nodeId: uuidV4() });

  /** For writes to a plugin (any URL form ending in /plugins or /plugins/{id}), the plugin's own extra checks. */
  async function precheckPlugin(segments: string[], body: unknown): Promise<void> {
    const at = segments.lastIndexOf('plugins');
    if (at < 0 || at < segments.length - 2 || body === null || typeof body !== 'object') return;
    const b = body as Record<string, unknown>;
    if (b.config === null || typeof b.config !== 'object' || Array.isArray(b.config)) return;
    let name = typeof b.name === 'string' ? b.name : undefined;
    if (!name && at === segments.length - 2) name = (opts.store.select('plugins', segments[at + 1])?.name as string | undefined) ?? undefined;
    if (!name || !opts.validatePluginConfig) return;
    const tree = await opts.validatePluginConfig(name, b.config as Record<string, unknown>);
    if (tree) throw daoErrors.schemaViolation({ config: tree as ErrorTree });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    // Kong's default_route also answers with the trailing slash removed
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const segments = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    if (method === 'OPTIONS') {
      sendJson(res, 204, undefined, { Allow: 'GET, HEAD, OPTIONS, PATCH, POST, PUT, DELETE', 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS, PATCH, POST, PUT, DELETE' });
      return;
    }
    const effective = method === 'HEAD' ? 'GET' : method;
    const parsed = parseBody(effective, path, String(req.headers['content-type'] ?? ''), await readBody(req));
    const query = parseQuery(url.searchParams);
    const common = { method: effective, segments, query, body: parsed.body, isForm: parsed.isForm };
    if (opts.validatePluginConfig && BODY_METHODS.has(effective)) await precheckPlugin(segments, parsed.body);
    let reply: Reply | null = kong.handle({ ...common, rawBody: parsed.raw, contentType: String(req.headers['content-type'] ?? '').toLowerCase() });
    if (!reply) reply = entities.handle(common);
    if (!reply) reply = { status: 404, body: { message: 'Not found' } };
    sendJson(res, reply.status, method === 'HEAD' || reply.status === 204 || reply.status === 304 ? undefined : reply.body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof KongDaoError) {
        // OPERATION_UNSUPPORTED goes out as is; the others through get_default_exit_body (same shape)
        sendJson(res, e.status, e.body);
      } else if (e instanceof HttpError) {
        sendJson(res, e.status, e.body);
      } else if (e instanceof URIError) {
        sendJson(res, 400, { message: 'Bad request' });
      } else {
        log('error', `unexpected error on ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'An unexpected error occurred' });
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8001, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
