/**
 * The emulated Lua PDK: the functions a JS plugin can reach through `Data.Method`, answered from a
 * RequestContext. Semantics follow Kong 3.x `kong/pdk/{request,client,response,service/*,log,ctx,
 * nginx,node,router,plugin}.lua` and the exposed-API overrides of `kong/runloop/plugin_servers/plugin.lua`
 * (`exposed_api`). Each function returns its FIRST Lua return value only (Kong 3.0+); `undefined`
 * stands for nil. Wrong phase or bad arguments throw LuaError, as Kong's `error()` would.
 *
 * `kong.response.exit` and `kong.response.error` are not here: the event loop handles them because
 * they never return to the plugin.
 */
import os from 'node:os';
import type { Consumer } from '../../config/types';
import type { RequestContext, Phase } from './context';
import { HeaderBag } from './headers';
import { LuaError, encodeArgs, parseQueryArgs, unescapeUri } from './values';
import type { GatewayLog, LogLevel } from '../log';

export interface PdkEnv {
  log: GatewayLog;
  nodeId: string;
  hostname: string;
  kongVersion: string;
}

type PdkFunction = (ctx: RequestContext, args: unknown[], env: PdkEnv) => unknown;

interface Entry {
  fn: PdkFunction;
  /** Phases the function may run in; anything else raises (Kong's check_phase). */
  phases?: readonly Phase[];
  /** Reads the live nginx request: unavailable in the log timer unless it is a snapshot override. */
  requestBound?: boolean;
  /** An exposed-API override that reads the log snapshot in the log phase. */
  snapshotAware?: boolean;
}

const REQUEST_PHASES: readonly Phase[] = ['rewrite', 'access', 'response', 'log'];
const REWRITE_ACCESS: readonly Phase[] = ['rewrite', 'access'];
const RESPONSE_WRITE: readonly Phase[] = ['rewrite', 'access', 'response'];
const SERVICE_RESPONSE: readonly Phase[] = ['response', 'log'];

function str(args: unknown[], i: number, what: string): string {
  const v = args[i];
  if (typeof v !== 'string') throw new LuaError(`${what} must be a string`);
  return v;
}

function optMax(args: unknown[], i: number, what: string, def = 100): number {
  const v = args[i];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number') throw new LuaError(`${what} must be a number`);
  if (v < 1) throw new LuaError(`${what} must be >= 1`);
  if (v > 1000) throw new LuaError(`${what} must be <= 1000`);
  return Math.floor(v);
}

function headerValue(v: unknown, name: string): string | string[] {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  throw new LuaError(`invalid header value for "${name}": got ${v === undefined || v === null ? 'nil' : typeof v}, expected array of string, string, number or boolean`);
}

function hostOnly(ctx: RequestContext): string {
  const host = ctx.headers.first('host') ?? '127.0.0.1';
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Trusted-IP rules are off by default in Kong (`trusted_ips` empty), so forwarded headers are ignored. */
function forwarded(ctx: RequestContext, header: string): string | undefined {
  void ctx;
  void header;
  return undefined;
}

function readRawBody(ctx: RequestContext, maxArg: unknown): Buffer | undefined {
  const body = ctx.body;
  if (body.length === 0) return Buffer.alloc(0);
  if (body.length <= ctx.clientBodyBufferSize) return body;
  // nginx buffered the body to a temp file: Kong only reads it with a max_allowed_file_size.
  if (typeof maxArg !== 'number' || maxArg < 0) return undefined; // nil, "request body did not fit ..."
  if (maxArg > 0 && body.length > maxArg) return undefined; // nil, "request body file too big"
  return body;
}

function parseBody(ctx: RequestContext, mimeArg: unknown): unknown {
  const ctype = (typeof mimeArg === 'string' ? mimeArg : ctx.headers.first('content-type') ?? '').toLowerCase();
  const raw = readRawBody(ctx, undefined);
  if (raw === undefined) return undefined;
  if (ctype.includes('application/x-www-form-urlencoded')) return parseQueryArgs(raw.toString('utf8'), 100);
  if (ctype.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      return parsed !== null && typeof parsed === 'object' ? parsed : undefined; // Kong: "invalid json body"
    } catch {
      return undefined;
    }
  }
  if (ctype.includes('multipart/form-data')) return parseMultipart(raw, ctype);
  return undefined; // nil, "unsupported content type"
}

/** Minimal multipart/form-data reader for simple text fields (Kong uses lua-multipart). */
function parseMultipart(raw: Buffer, ctype: string): Record<string, string> | undefined {
  const m = /boundary=("?)([^";]+)\1/.exec(ctype);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const text = raw.toString('latin1');
  for (const part of text.split(`--${m[2]}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    out[name] = Buffer.from(part.slice(sep + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
  }
  return out;
}

function normalizePath(raw: string): string {
  // Kong 3.x get_path: percent-decodes unreserved characters and removes dot segments.
  const decoded = raw.replace(/%([0-9a-fA-F]{2})/g, (m, h: string) => {
    const c = String.fromCharCode(parseInt(h, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
  });
  const out: string[] = [];
  for (const seg of decoded.split('/')) {
    if (seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

function entityOrNil<T>(v: T | null): T | undefined {
  return v ?? undefined;
}

function findConsumer(ctx: RequestContext, idOrName: string, byUsername: boolean): Consumer | undefined {
  const consumers = ctx.snapshot.consumers;
  return consumers.find((c) => c.id === idOrName) ?? (byUsername ? consumers.find((c) => c.username === idOrName) : undefined);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function logAt(level: LogLevel): PdkFunction {
  return (ctx, args, env) => {
    const plugin = ctx.currentPlugin?.name ?? 'kong';
    env.log.log(level, `[kong] [${plugin}] `, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    return undefined;
  };
}

/** `kong.log.serialize()` (kong/pdk/log.lua: serialize), returned as a JSON string by the exposed API. */
export function serializeRequest(ctx: RequestContext, env: PdkEnv): Record<string, unknown> {
  const now = Date.now();
  const host = hostOnly(ctx);
  const query = parseQueryArgs(ctx.rawQuery, 100);
  const resHeaders = ctx.exit?.headers ?? ctx.response.headers;
  const status = ctx.exit?.status ?? ctx.response.status ?? ctx.serviceResponse?.status ?? 0;
  return {
    request: {
      uri: ctx.rawPath + (ctx.hasQuery ? `?${ctx.rawQuery}` : ''),
      url: `${ctx.scheme}://${host}:${ctx.serverPort}${ctx.rawPath}${ctx.hasQuery ? `?${ctx.rawQuery}` : ''}`,
      querystring: Object.keys(query).length ? query : {},
      method: ctx.method,
      headers: redact(ctx.headers.toLuaTable(100)),
      size: ctx.body.length,
      id: ctx.requestId,
    },
    upstream_uri: ctx.service ? ctx.upstream.path + (ctx.upstream.rawQuery ? `?${ctx.upstream.rawQuery}` : '') : '',
    upstream_status: ctx.serviceResponse ? String(ctx.serviceResponse.status) : undefined,
    response: {
      status,
      headers: resHeaders.toLuaTable(100),
      size: ctx.exit?.body.length ?? ctx.serviceResponse?.body.length ?? 0,
    },
    latencies: {
      kong: ctx.latencies.kongMs,
      proxy: ctx.latencies.upstreamMs ?? -1,
      request: now - ctx.startTimeMs,
      receive: 0,
    },
    tries: ctx.service ? [{ ip: ctx.service.host, port: ctx.service.port, balancer_latency: 0 }] : undefined,
    client_ip: ctx.clientIp,
    started_at: ctx.startTimeMs,
    route: ctx.route ?? undefined,
    service: ctx.service ?? undefined,
    consumer: ctx.consumer ?? undefined,
    authenticated_entity: ctx.credential ?? undefined,
    workspace: ctx.snapshot.workspaceId,
    workspace_name: 'default',
    source: ctx.exit ? 'kong' : ctx.serviceResponse ? 'upstream' : 'kong',
    node: { id: env.nodeId, hostname: env.hostname },
  };
}

/** Kong redacts Authorization-style headers in serialize(). */
function redact(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  for (const key of ['authorization', 'proxy-authorization']) if (key in headers) headers[key] = 'REDACTED';
  return headers;
}

function responseSource(ctx: RequestContext): string {
  if (ctx.exit) return 'exit';
  if (ctx.serviceResponse) return 'service';
  return 'error';
}

function routerEntity(v: object | null): object | undefined {
  return v ?? undefined;
}

const TABLE: Record<string, Entry> = {
  // --- kong.request ------------------------------------------------------------------------------
  'kong.request.get_scheme': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.scheme },
  'kong.request.get_host': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => hostOnly(c) },
  'kong.request.get_port': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.serverPort },
  'kong.request.get_forwarded_scheme': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => forwarded(c, 'x-forwarded-proto') ?? c.scheme },
  'kong.request.get_forwarded_host': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => forwarded(c, 'x-forwarded-host') ?? hostOnly(c) },
  'kong.request.get_forwarded_port': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.serverPort },
  'kong.request.get_forwarded_path': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.rawPath },
  'kong.request.get_forwarded_prefix': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.strippedPrefix ?? undefined },
  'kong.request.get_http_version': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.httpVersion },
  'kong.request.get_method': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.method },
  'kong.request.get_path': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => normalizePath(c.rawPath) },
  'kong.request.get_raw_path': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.rawPath },
  'kong.request.get_path_with_query': {
    phases: REQUEST_PHASES,
    requestBound: true,
    fn: (c) => normalizePath(c.rawPath) + (c.rawQuery !== '' ? `?${c.rawQuery}` : ''),
  },
  'kong.request.get_raw_query': { phases: REQUEST_PHASES, requestBound: true, fn: (c) => c.rawQuery },
  'kong.request.get_query_arg': {
    phases: REQUEST_PHASES,
    requestBound: true,
    fn: (c, a) => {
      const name = str(a, 0, 'query argument name');
      const v = parseQueryArgs(c.rawQuery, 100)[name];
      return Array.isArray(v) ? v[0] : v;
    },
  },
  'kong.request.get_query': {
    phases: REQUEST_PHASES,
    requestBound: true,
    fn: (c, a) => parseQueryArgs(c.rawQuery, optMax(a, 0, 'max_args')),
  },
  'kong.request.get_header': {
    phases: REQUEST_PHASES,
    snapshotAware: true,
    fn: (c, a) => {
      const name = str(a, 0, 'header name').toLowerCase().replace(/_/g, '-');
      if (c.logSnapshot) {
        const v = c.logSnapshot.requestHeaders[name];
        return Array.isArray(v) ? v[0] : v;
      }
      return c.headers.first(name);
    },
  },
  'kong.request.get_headers': {
    phases: REQUEST_PHASES,
    snapshotAware: true,
    fn: (c, a) => (c.logSnapshot ? c.logSnapshot.requestHeaders : c.headers.toLuaTable(optMax(a, 0, 'max_headers'))),
  },
  'kong.request.get_raw_body': { phases: REQUEST_PHASES, requestBound: true, fn: (c, a) => readRawBody(c, a[0]) },
  'kong.request.get_body': { phases: REQUEST_PHASES, requestBound: true, fn: (c, a) => parseBody(c, a[0]) },
  'kong.request.get_start_time': { phases: REQUEST_PHASES, fn: (c) => c.startTimeMs },
  'kong.request.get_uri_captures': {
    phases: REQUEST_PHASES,
    snapshotAware: true,
    fn: (c) => {
      const caps = c.logSnapshot ? c.logSnapshot.uriCaptures : c.uriCaptures;
      return { unnamed: caps?.unnamed ?? [], named: caps?.named ?? {} };
    },
  },

  // --- kong.client -------------------------------------------------------------------------------
  'kong.client.get_ip': { requestBound: true, fn: (c) => c.clientIp },
  'kong.client.get_forwarded_ip': { requestBound: true, fn: (c) => c.clientIp },
  'kong.client.get_port': { requestBound: true, fn: (c) => c.clientPort },
  'kong.client.get_forwarded_port': { requestBound: true, fn: (c) => c.clientPort },
  'kong.client.get_protocol': {
    phases: ['access', 'response', 'log'],
    fn: (c) => (c.route ? (c.route.protocols.includes(c.scheme) ? c.scheme : c.route.protocols[0]) : c.scheme),
  },
  'kong.client.get_consumer': { fn: (c) => entityOrNil(c.consumer) },
  'kong.client.get_credential': { fn: (c) => c.credential ?? undefined },
  'kong.client.load_consumer': {
    phases: ['rewrite', 'access', 'response', 'log'],
    fn: (c, a) => {
      const id = a[0];
      if (typeof id !== 'string') throw new LuaError('consumer_id must be a string');
      const byUsername = a[1] === true;
      if (!UUID_RE.test(id) && !byUsername) throw new LuaError('cannot load a consumer with an id that is not a uuid');
      return findConsumer(c, id, byUsername);
    },
  },
  'kong.client.authenticate': {
    phases: ['rewrite', 'access'],
    fn: (c, a) => {
      const consumer = a[0] as Consumer | undefined | null;
      const credential = a[1] as Record<string, unknown> | undefined | null;
      if (!consumer && !credential) throw new LuaError('either credential or consumer must be provided');
      if (consumer !== undefined && consumer !== null && typeof consumer !== 'object') throw new LuaError('consumer must be a table or nil');
      if (credential !== undefined && credential !== null && typeof credential !== 'object') throw new LuaError('credential must be a table or nil');
      c.consumer = consumer ?? null;
      c.credential = credential ?? null;
      return undefined;
    },
  },

  // --- kong.response -----------------------------------------------------------------------------
  'kong.response.get_status': {
    snapshotAware: true,
    fn: (c) => (c.logSnapshot ? c.logSnapshot.responseStatus : c.exit?.status ?? c.response.status ?? c.serviceResponse?.status ?? 200),
  },
  'kong.response.get_header': {
    snapshotAware: true,
    fn: (c, a) => {
      const name = str(a, 0, 'header name').toLowerCase();
      if (c.logSnapshot) {
        const v = c.logSnapshot.responseHeaders[name];
        return Array.isArray(v) ? v[0] : v;
      }
      return c.response.headers.first(name) ?? (c.response.clearedHeaders.has(name) ? undefined : c.serviceResponse?.headers.first(name));
    },
  },
  'kong.response.get_headers': {
    snapshotAware: true,
    fn: (c, a) => {
      if (c.logSnapshot) return c.logSnapshot.responseHeaders;
      const merged = c.serviceResponse ? c.serviceResponse.headers.clone() : new HeaderBag();
      for (const n of c.response.clearedHeaders) merged.delete(n);
      for (const n of c.response.headers.names()) merged.set(n, c.response.headers.get(n) ?? []);
      return merged.toLuaTable(optMax(a, 0, 'max_headers'));
    },
  },
  'kong.response.get_source': { snapshotAware: true, fn: (c) => (c.logSnapshot ? c.logSnapshot.responseSource : responseSource(c)) },
  'kong.response.set_status': {
    phases: RESPONSE_WRITE,
    fn: (c, a) => {
      const s = a[0];
      if (typeof s !== 'number' || !Number.isInteger(s)) throw new LuaError('code must be a number');
      if (s < 100 || s > 599) throw new LuaError('code must be a number between 100 and 599');
      c.response.status = s;
      return undefined;
    },
  },
  'kong.response.set_header': {
    phases: RESPONSE_WRITE,
    fn: (c, a) => {
      const name = str(a, 0, 'header name');
      c.response.headers.set(name, headerValue(a[1], name));
      c.response.clearedHeaders.delete(name.toLowerCase());
      return undefined;
    },
  },
  'kong.response.add_header': {
    phases: RESPONSE_WRITE,
    fn: (c, a) => {
      const name = str(a, 0, 'header name');
      const v = headerValue(a[1], name);
      for (const one of Array.isArray(v) ? v : [v]) c.response.headers.add(name, one);
      return undefined;
    },
  },
  'kong.response.clear_header': {
    phases: RESPONSE_WRITE,
    fn: (c, a) => {
      const name = str(a, 0, 'header name');
      c.response.headers.delete(name);
      c.response.clearedHeaders.add(name.toLowerCase());
      return undefined;
    },
  },
  'kong.response.set_headers': {
    phases: RESPONSE_WRITE,
    fn: (c, a) => {
      const headers = a[0];
      if (headers === null || typeof headers !== 'object') throw new LuaError('headers must be a table');
      for (const [k, v] of Object.entries(headers as Record<string, unknown>)) c.response.headers.set(k, headerValue(v, k));
      return undefined;
    },
  },

  // --- kong.service / kong.service.request -------------------------------------------------------
  'kong.service.request.set_header': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const name = str(a, 0, 'header name');
      c.upstream.headers.set(name, headerValue(a[1], name));
      return undefined;
    },
  },
  'kong.service.request.add_header': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const name = str(a, 0, 'header name');
      const v = headerValue(a[1], name);
      for (const one of Array.isArray(v) ? v : [v]) c.upstream.headers.add(name, one);
      return undefined;
    },
  },
  'kong.service.request.clear_header': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      c.upstream.headers.delete(str(a, 0, 'header name'));
      return undefined;
    },
  },
  'kong.service.request.set_headers': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const headers = a[0];
      if (headers === null || typeof headers !== 'object') throw new LuaError('headers must be a table');
      for (const [k, v] of Object.entries(headers as Record<string, unknown>)) c.upstream.headers.set(k, headerValue(v, k));
      return undefined;
    },
  },
  'kong.service.request.set_path': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const p = str(a, 0, 'path');
      if (!p.startsWith('/')) throw new LuaError('path must start with /');
      c.upstream.path = p;
      return undefined;
    },
  },
  'kong.service.request.set_raw_query': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      c.upstream.rawQuery = str(a, 0, 'query');
      return undefined;
    },
  },
  'kong.service.request.set_query': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const args = a[0];
      if (args === null || typeof args !== 'object') throw new LuaError('args must be a table');
      c.upstream.rawQuery = encodeArgs(args as Record<string, unknown>);
      return undefined;
    },
  },
  'kong.service.request.clear_query_arg': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const name = str(a, 0, 'query argument name');
      c.upstream.rawQuery = c.upstream.rawQuery
        .split('&')
        .filter((part) => part !== '' && unescapeUri(part.split('=')[0]) !== name)
        .join('&');
      return undefined;
    },
  },
  'kong.service.request.set_method': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const m = str(a, 0, 'method');
      if (!/^(GET|HEAD|PUT|POST|DELETE|OPTIONS|MKCOL|COPY|MOVE|PROPFIND|PROPPATCH|LOCK|UNLOCK|PATCH|TRACE)$/.test(m)) {
        throw new LuaError(`invalid method: ${m}`);
      }
      c.upstream.method = m;
      return undefined;
    },
  },
  'kong.service.request.set_scheme': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const s = str(a, 0, 'scheme');
      if (s !== 'http' && s !== 'https') throw new LuaError(`invalid scheme: ${s}`);
      c.upstream.scheme = s;
      return undefined;
    },
  },
  'kong.service.request.set_raw_body': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const b = a[0];
      if (typeof b !== 'string' && !(b instanceof Uint8Array)) throw new LuaError('body must be a string');
      c.upstream.body = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
      return undefined;
    },
  },
  'kong.service.request.set_body': {
    phases: REWRITE_ACCESS,
    fn: (c, a) => {
      const args = a[0];
      if (args === null || typeof args !== 'object') throw new LuaError('args must be a table');
      const mime = (typeof a[1] === 'string' ? a[1] : c.upstream.headers.first('content-type') ?? '').toLowerCase();
      if (mime.includes('application/json')) {
        c.upstream.body = Buffer.from(JSON.stringify(args));
      } else if (mime.includes('application/x-www-form-urlencoded') || mime === '') {
        c.upstream.body = Buffer.from(encodeArgs(args as Record<string, unknown>));
        if (mime === '') c.upstream.headers.set('Content-Type', 'application/x-www-form-urlencoded');
      } else {
        return undefined; // nil, "unsupported content type"
      }
      return true;
    },
  },
  'kong.service.request.enable_buffering': { phases: REWRITE_ACCESS, fn: () => undefined },

  // --- kong.service.response (response phase) ----------------------------------------------------
  'kong.service.response.get_status': { phases: SERVICE_RESPONSE, requestBound: true, fn: (c) => c.serviceResponse?.status },
  'kong.service.response.get_headers': {
    phases: SERVICE_RESPONSE,
    requestBound: true,
    fn: (c, a) => (c.serviceResponse ? c.serviceResponse.headers.toLuaTable(optMax(a, 0, 'max_headers')) : undefined),
  },
  'kong.service.response.get_header': {
    phases: SERVICE_RESPONSE,
    requestBound: true,
    fn: (c, a) => c.serviceResponse?.headers.first(str(a, 0, 'header name')),
  },
  'kong.service.response.get_raw_body': { phases: ['response'], fn: (c) => c.serviceResponse?.body },
  'kong.service.response.get_body': {
    phases: ['response'],
    fn: (c) => {
      const r = c.serviceResponse;
      if (!r) return undefined;
      const ctype = (r.headers.first('content-type') ?? '').toLowerCase();
      if (ctype.includes('application/json')) {
        try {
          return JSON.parse(r.body.toString('utf8')) as unknown;
        } catch {
          return undefined;
        }
      }
      if (ctype.includes('application/x-www-form-urlencoded')) return parseQueryArgs(r.body.toString('utf8'));
      return undefined;
    },
  },

  // --- kong.log ----------------------------------------------------------------------------------
  'kong.log.debug': { fn: logAt('debug') },
  'kong.log.info': { fn: logAt('info') },
  'kong.log.notice': { fn: logAt('notice') },
  'kong.log.warn': { fn: logAt('warn') },
  'kong.log.err': { fn: logAt('error') },
  'kong.log.crit': { fn: logAt('crit') },
  'kong.log.alert': { fn: logAt('alert') },
  'kong.log.emerg': { fn: logAt('emerg') },
  'kong.log.serialize': {
    snapshotAware: true,
    fn: (c, _a, env) => (c.logSnapshot ? c.logSnapshot.serialized : JSON.stringify(serializeRequest(c, env))),
  },
  'kong.log.set_serialize_value': { fn: () => undefined },

  // --- kong.ctx.shared / kong.nginx ----------------------------------------------------------------
  'kong.ctx.shared.get': {
    snapshotAware: true,
    fn: (c, a) => (c.logSnapshot ? c.logSnapshot.ctxShared : c.ctxShared).get(String(a[0])),
  },
  'kong.ctx.shared.set': {
    snapshotAware: true,
    fn: (c, a) => {
      const store = c.logSnapshot ? c.logSnapshot.ctxShared : c.ctxShared;
      if (a[1] === undefined || a[1] === null) store.delete(String(a[0]));
      else store.set(String(a[0]), a[1]);
      return undefined;
    },
  },
  'kong.nginx.get_ctx': {
    snapshotAware: true,
    fn: (c, a) => (c.logSnapshot ? c.logSnapshot.ngxCtx : c.ngxCtx).get(String(a[0])),
  },
  'kong.nginx.set_ctx': {
    snapshotAware: true,
    fn: (c, a) => {
      const store = c.logSnapshot ? c.logSnapshot.ngxCtx : c.ngxCtx;
      if (a[1] === undefined || a[1] === null) store.delete(String(a[0]));
      else store.set(String(a[0]), a[1]);
      return undefined;
    },
  },
  'kong.nginx.req_start_time': {
    snapshotAware: true,
    fn: (c) => (c.logSnapshot ? c.logSnapshot.reqStartTime : c.startTimeMs / 1000),
  },
  'kong.nginx.get_subsystem': { fn: () => 'http' },
  'kong.nginx.get_var': { requestBound: true, fn: (c, a) => ngxVar(c, String(a[0])) },

  // --- kong.node / kong.router / kong.plugin -------------------------------------------------------
  'kong.node.get_id': { fn: (_c, _a, env) => env.nodeId },
  'kong.node.get_hostname': { fn: (_c, _a, env) => env.hostname },
  'kong.node.get_memory_stats': {
    fn: () => {
      const mem = process.memoryUsage();
      return {
        lua_shared_dicts: { kong: { allocated_slabs: 0, capacity: 5 * 1024 * 1024 } },
        workers_lua_vms: [{ http_allocated_gc: mem.heapUsed, pid: process.pid }],
      };
    },
  },
  'kong.router.get_route': { fn: (c) => routerEntity(c.route) },
  'kong.router.get_service': { fn: (c) => routerEntity(c.service) },
  'kong.plugin.get_id': { fn: (c) => c.currentPlugin?.id },
  'kong.ip.is_trusted': { fn: () => false },
};

/** `ngx.var.<name>` for the variables plugins commonly read. */
function ngxVar(c: RequestContext, name: string): unknown {
  switch (name) {
    case 'kong_request_id':
    case 'request_id':
      return c.requestId;
    case 'request_method':
      return c.method;
    case 'request_uri':
      return c.rawPath + (c.hasQuery ? `?${c.rawQuery}` : '');
    case 'uri':
      return normalizePath(unescapeUri(c.rawPath));
    case 'args':
    case 'query_string':
      return c.hasQuery ? c.rawQuery : undefined;
    case 'scheme':
      return c.scheme;
    case 'host':
      return hostOnly(c);
    case 'server_port':
      return String(c.serverPort);
    case 'remote_addr':
    case 'realip_remote_addr':
      return c.clientIp;
    case 'remote_port':
      return String(c.clientPort);
    case 'upstream_uri':
      return c.upstream.path + (c.upstream.rawQuery ? `?${c.upstream.rawQuery}` : '');
    case 'content_type':
      return c.headers.first('content-type');
    case 'content_length':
      return c.headers.first('content-length');
    case 'server_protocol':
      return `HTTP/${c.httpVersion === 2 ? '2.0' : c.httpVersion.toFixed(1)}`;
    default:
      if (name.startsWith('http_')) return c.headers.first(name.slice(5).replace(/_/g, '-'));
      if (name.startsWith('arg_')) {
        const v = parseQueryArgs(c.rawQuery)[name.slice(4)];
        return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
      }
      return undefined;
  }
}

export interface PdkLookup {
  known: boolean;
  run(ctx: RequestContext, args: unknown[], env: PdkEnv): unknown;
}

/** Resolves `Data.Method`; unknown names are answered with nil ("could not find pdk method"). */
export function lookupPdk(method: string): PdkLookup {
  const entry = TABLE[method];
  if (!entry) return { known: false, run: () => undefined };
  return {
    known: true,
    run(ctx, args, env) {
      if (entry.phases && !entry.phases.includes(ctx.phase)) {
        throw new LuaError(`function cannot be called in ${ctx.phase} phase (only in: ${entry.phases.join(', ')})`);
      }
      if (ctx.logSnapshot && entry.requestBound && !entry.snapshotAware) {
        // Kong runs the log handler in ngx.timer context, where the request APIs are gone.
        throw new LuaError(`API disabled in the context of ngx.timer (${method})`);
      }
      return entry.fn(ctx, args, env);
    },
  };
}

export function defaultPdkEnv(log: GatewayLog, nodeId: string): PdkEnv {
  return { log, nodeId, hostname: os.hostname(), kongVersion: KONG_VERSION };
}

/** The Kong version this gateway imitates (Via/Server headers). */
export const KONG_VERSION = '3.9.3';

export const MULTIMAP_METHODS: ReadonlySet<string> = new Set([
  'kong.request.get_query',
  'kong.request.get_headers',
  'kong.response.get_headers',
  'kong.service.response.get_headers',
]);

export const RAW_METHODS: ReadonlySet<string> = new Set([
  'kong.request.get_raw_body',
  'kong.response.get_raw_body',
  'kong.service.response.get_raw_body',
]);

/** `get_step_method` in mp_rpc.lua. */
export function stepMethodFor(pdkMethod: string): string {
  switch (pdkMethod) {
    case 'kong.client.get_credential':
    case 'kong.client.authenticate':
      return 'plugin.StepCredential';
    case 'kong.client.load_consumer':
    case 'kong.client.get_consumer':
      return 'plugin.StepConsumer';
    case 'kong.node.get_memory_stats':
      return 'plugin.StepMemoryStats';
    case 'kong.router.get_route':
      return 'plugin.StepRoute';
    case 'kong.router.get_service':
      return 'plugin.StepService';
    default:
      return MULTIMAP_METHODS.has(pdkMethod) ? 'plugin.StepMultiMap' : 'plugin.Step';
  }
}
