/**
 * Everything the emulated PDK needs to know about one proxied request: what nginx and `ngx.ctx`
 * hold in Kong (request line, headers, body, client address, matched route/service, authenticated
 * consumer/credential, `kong.ctx.shared`, the upstream request being built, the response).
 */
import type { Consumer, ConfigSnapshot, Route, Service } from '../../config/types';
import { HeaderBag } from './headers';

export type Phase = 'certificate' | 'rewrite' | 'access' | 'response' | 'preread' | 'log';

export interface UriCaptures {
  unnamed: string[];
  named: Record<string, string>;
}

export interface ExitResponse {
  status: number;
  body: Buffer;
  headers: HeaderBag;
  /** `exit` or `error` (kong.response.get_source() says "exit" for both). */
  kind: 'exit' | 'error';
  plugin: string;
}

export interface ServiceResponse {
  status: number;
  headers: HeaderBag;
  body: Buffer;
}

/** What Kong snapshots for the log timer (`plugin.lua: build_phases`, log branch). */
export interface LogSnapshot {
  serialized: string;
  ngxCtx: Map<string, unknown>;
  ctxShared: Map<string, unknown>;
  requestHeaders: Record<string, string | string[]>;
  responseHeaders: Record<string, string | string[]>;
  responseStatus: number;
  reqStartTime: number;
  responseSource: string;
  uriCaptures: UriCaptures | null;
}

export interface RequestContext {
  requestId: string;
  /** ms since epoch (ngx.req.start_time() * 1000). */
  startTimeMs: number;
  method: string;
  /** Path part of the request URI as received (not decoded, no query). */
  rawPath: string;
  /** Query string without `?` ('' when none). */
  rawQuery: string;
  hasQuery: boolean;
  httpVersion: number;
  scheme: 'http' | 'https';
  /** The server (listener) address the request came in on. */
  serverPort: number;
  headers: HeaderBag;
  body: Buffer;
  clientIp: string;
  clientPort: number;
  protocol: string;
  snapshot: ConfigSnapshot;
  route: Route | null;
  service: Service | null;
  uriCaptures: UriCaptures | null;
  /** The matched route prefix (X-Forwarded-Prefix when strip_path removed it). */
  strippedPrefix: string | null;
  consumer: Consumer | null;
  credential: Record<string, unknown> | null;
  ctxShared: Map<string, unknown>;
  ngxCtx: Map<string, unknown>;
  phase: Phase;
  /** The plugin whose event is running (kong.plugin.get_id, log namespace). */
  currentPlugin: { id: string; name: string } | null;
  /** The upstream request as plugins shape it (kong.service.request.*). */
  upstream: {
    method: string;
    scheme: string;
    path: string;
    rawQuery: string;
    headers: HeaderBag;
    body: Buffer | null;
  };
  /** Response headers/status plugins set (kong.response.*), applied on top of the upstream's. */
  response: { status: number | null; headers: HeaderBag; clearedHeaders: Set<string> };
  serviceResponse: ServiceResponse | null;
  exit: ExitResponse | null;
  /** Set in the log phase: PDK overrides answer from it, other request functions fail. */
  logSnapshot: LogSnapshot | null;
  /** Number of PDK callbacks per plugin name in this request ("few round trips" assertions). */
  pdkCalls: Map<string, number>;
  /** RPC round trips per plugin name (HandleEvent + Steps). */
  rpcCalls: Map<string, number>;
  latencies: { upstreamMs: number | null; kongMs: number };
  /** Client body buffer size: bodies above it are "buffered to a file" as nginx would. */
  clientBodyBufferSize: number;
}

export interface NewContextInput {
  requestId: string;
  method: string;
  url: string;
  httpVersion: number;
  scheme: 'http' | 'https';
  serverPort: number;
  rawHeaders: string[];
  body: Buffer;
  clientIp: string;
  clientPort: number;
  snapshot: ConfigSnapshot;
  clientBodyBufferSize?: number;
}

export function newRequestContext(input: NewContextInput): RequestContext {
  const q = input.url.indexOf('?');
  const rawPath = q < 0 ? input.url : input.url.slice(0, q);
  const rawQuery = q < 0 ? '' : input.url.slice(q + 1);
  const headers = HeaderBag.fromRaw(input.rawHeaders);
  return {
    requestId: input.requestId,
    startTimeMs: Date.now(),
    method: input.method.toUpperCase(),
    rawPath,
    rawQuery,
    hasQuery: q >= 0,
    httpVersion: input.httpVersion,
    scheme: input.scheme,
    serverPort: input.serverPort,
    headers,
    body: input.body,
    clientIp: input.clientIp,
    clientPort: input.clientPort,
    protocol: input.scheme,
    snapshot: input.snapshot,
    route: null,
    service: null,
    uriCaptures: null,
    strippedPrefix: null,
    consumer: null,
    credential: null,
    ctxShared: new Map(),
    ngxCtx: new Map(),
    phase: 'rewrite',
    currentPlugin: null,
    upstream: { method: input.method.toUpperCase(), scheme: 'http', path: rawPath, rawQuery, headers: headers.clone(), body: null },
    response: { status: null, headers: new HeaderBag(), clearedHeaders: new Set() },
    serviceResponse: null,
    exit: null,
    logSnapshot: null,
    pdkCalls: new Map(),
    rpcCalls: new Map(),
    latencies: { upstreamMs: null, kongMs: 0 },
    clientBodyBufferSize: input.clientBodyBufferSize ?? 8192,
  };
}

export function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
