/**
 * The proxy listener: Kong's request lifecycle for HTTP/1.1 (`kong/init.lua`: rewrite -> access ->
 * [buffered] response -> log), driving the JS plugins through the PluginDriver.
 *
 * - rewrite: global plugins only; an exit there answers at once.
 * - routing (`runloop.access.before`): no match -> 404 "no Route matched with those values".
 * - access: plugins in priority order through the collecting iterator; the first exit/error becomes the
 *   delayed response and the remaining plugins are only collected (for log/response), not run; a
 *   StartInstance failure or Lua error -> 500 "An unexpected error occurred".
 * - proxying: X-Forwarded-*, X-Real-IP, X-Kong-Request-Id; strip_path/preserve_host/path_handling;
 *   502/503/504 as Kong; Via + X-Kong-Upstream-Latency + X-Kong-Proxy-Latency.
 * - response: only when a collected plugin has it (buffered proxying).
 * - log: after the response is sent, from a snapshot (protocol §2.10).
 * Configuration is live: every ConfigSource change rebuilds the router and the plugins iterator.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ConfigSnapshot, ConfigSource, Route, Service } from '../config/types';
import type { GatewayLog } from '../driver/log';
import { PhaseFailure, type PluginDriver, type SimulatedWorker } from '../driver/driver';
import { PluginsIterator, SeqRegistry, type PluginConf } from '../driver/plugins-iterator';
import { newRequestContext, type ExitResponse, type LogSnapshot, type RequestContext } from '../driver/pdk/context';
import { HeaderBag } from '../driver/pdk/headers';
import { kongErrorResponse } from '../driver/pdk/exit';
import { KONG_VERSION, serializeRequest, type PdkEnv } from '../driver/pdk/functions';
import { Router, upstreamUriV0, upstreamUriV1, type RouteMatch } from './router';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

export interface ProxyOptions {
  source: ConfigSource;
  driver: PluginDriver;
  log: GatewayLog;
  pdkEnv: PdkEnv;
  /** Add `X-Kong-Emu-Rpc: <plugin>=<rpc round trips>/<pdk calls>,...` to responses (emulator-only). */
  debugHeaders?: boolean;
  /** Largest request body accepted (Kong: client_max_body_size; default 0 = unlimited, we cap). */
  maxBodyBytes?: number;
  clientBodyBufferSize?: number;
}

export interface RequestSummary {
  requestId: string;
  method: string;
  path: string;
  status: number;
  route: string | null;
  pdkCalls: Record<string, number>;
  rpcCalls: Record<string, number>;
  exitedBy: string | null;
}

interface Runtime {
  snapshot: ConfigSnapshot;
  router: Router;
  iterator: PluginsIterator;
}

export function newRequestId(): string {
  return crypto.randomBytes(16).toString('hex');
}

export class KongProxy extends EventEmitter {
  private runtime!: Runtime;
  private readonly seqs = new SeqRegistry();
  private readonly unsubscribe: () => void;
  private server: http.Server | null = null;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly warned = new Set<string>();
  private readonly pendingLogs = new Set<Promise<void>>();

  constructor(private readonly opts: ProxyOptions) {
    super();
    this.rebuild(opts.source.snapshot());
    this.unsubscribe = opts.source.onChange((s) => this.rebuild(s));
  }

  get snapshot(): ConfigSnapshot {
    return this.runtime.snapshot;
  }

  /** Router + plugins iterator for a new configuration (Kong: router/plugins-iterator rebuild). */
  rebuild(snapshot: ConfigSnapshot): void {
    const router = new Router(snapshot.routes, snapshot.services);
    for (const e of router.errors) this.opts.log.error(`[router] ${e}`);
    const iterator = new PluginsIterator(snapshot, this.opts.driver, this.seqs, { warn: (m) => this.opts.log.warn(m) });
    for (const name of iterator.skipped) {
      if (this.warned.has(name)) continue;
      this.warned.add(name);
      this.opts.log.warn(`plugin "${name}" is configured but not served by any plugin server here (bundled Lua plugins are not emulated); ignored`);
    }
    this.runtime = { snapshot, router, iterator };
  }

  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        this.opts.log.error(`[proxy] unhandled: ${err.stack ?? err.message}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end('{\n  "message":"An unexpected error occurred"\n}');
        } else res.destroy();
      });
    });
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (this.server) {
      const s = this.server;
      this.server = null;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await Promise.allSettled([...this.pendingLogs]);
    this.agent.destroy();
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer | null> {
    const max = this.opts.maxBodyBytes ?? 64 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          resolve(null);
          req.removeAllListeners('data');
          req.resume();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { snapshot, router, iterator } = this.runtime;
    const body = await this.readBody(req);
    const local = req.socket.address() as AddressInfo;
    const ctx = newRequestContext({
      requestId: newRequestId(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      httpVersion: Number(req.httpVersion) || 1.1,
      scheme: 'http',
      serverPort: local.port,
      rawHeaders: req.rawHeaders,
      body: body ?? Buffer.alloc(0),
      clientIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      clientPort: req.socket.remotePort ?? 0,
      snapshot,
      clientBodyBufferSize: this.opts.clientBodyBufferSize,
    });
    const worker = this.opts.driver.pickWorker();
    if (body === null) {
      return this.finishWithExit(req, res, ctx, kongErrorResponse(ctx, 413, 'Request size limit exceeded'), worker, iterator.globalsFor('log'));
    }
    const { exit, collected } = await this.runRequestPhases(ctx, worker, iterator, router, 'http');
    if (exit) return this.finishWithExit(req, res, ctx, exit, worker, collected.log);
    await this.proxy(req, res, ctx, worker, collected);
  }

  /**
   * rewrite (globals) -> routing -> access (collecting iterator). Returns the response to send instead
   * of proxying (exit, error, 404, 500), and the plugins collected for the response/log phases.
   */
  async runRequestPhases(
    ctx: RequestContext,
    worker: SimulatedWorker,
    iterator: PluginsIterator = this.runtime.iterator,
    router: Router = this.runtime.router,
    protocol = 'http',
  ): Promise<{ exit: ExitResponse | null; collected: { response: PluginConf[]; log: PluginConf[] } }> {
    const collected = { response: [] as PluginConf[], log: [] as PluginConf[] };
    const globalsOnly = { response: [] as PluginConf[], log: iterator.globalsFor('log') };
    ctx.phase = 'rewrite';
    for (const pc of iterator.globalsFor('rewrite')) {
      const exit = await this.runOne(worker, pc, ctx);
      if (exit) return { exit, collected: globalsOnly };
    }
    const match = router.match({
      method: ctx.method,
      path: ctx.rawPath,
      host: ctx.headers.first('host') ?? ctx.headers.first(':authority') ?? '',
      headers: (n) => ctx.headers.get(n),
      protocol,
    });
    if (!match) return { exit: kongErrorResponse(ctx, 404, 'no Route matched with those values'), collected: globalsOnly };
    this.applyMatch(ctx, match);
    ctx.phase = 'access';
    let delayed: ExitResponse | null = null;
    for (const info of iterator.ordered) {
      const pc = iterator.lookup(info.Name, ctx.route?.id ?? null, ctx.service?.id ?? null, ctx.consumer?.id ?? null);
      if (!pc) continue;
      if (info.Phases.includes('response')) collected.response.push(pc);
      if (info.Phases.includes('log')) collected.log.push(pc);
      // after a delayed response the iterator still collects, but runs nothing (kong/init.lua)
      if (delayed || !info.Phases.includes('access')) continue;
      delayed = await this.runOne(worker, pc, ctx);
    }
    if (delayed) return { exit: delayed, collected };
    if (!ctx.service) return { exit: kongErrorResponse(ctx, 503, 'no Service found with those values'), collected };
    return { exit: null, collected };
  }

  /** Log phase entry point for other listeners (gRPC). */
  finishRequest(ctx: RequestContext, worker: SimulatedWorker, logPlugins: PluginConf[], status: number): Promise<void> {
    return this.afterResponse(ctx, worker, logPlugins, status);
  }

  /** Runs one plugin handler; returns the response to send when it exited or failed. */
  private async runOne(worker: SimulatedWorker, pc: PluginConf, ctx: RequestContext): Promise<ExitResponse | null> {
    ctx.currentPlugin = { id: pc.plugin.id, name: pc.plugin.name };
    try {
      const outcome = await this.opts.driver.handleEvent(worker, pc.plugin.name, pc.conf, ctx.phase, ctx);
      if (outcome === 'exit' && ctx.exit) return ctx.exit;
      return null;
    } catch (err) {
      if (err instanceof PhaseFailure) {
        this.opts.log.error(`[${pc.plugin.name}] ${ctx.phase} failed: ${err.message}`);
        ctx.exit = kongErrorResponse(ctx, 500, 'An unexpected error occurred');
        return ctx.exit;
      }
      throw err;
    } finally {
      ctx.currentPlugin = null;
    }
  }

  private applyMatch(ctx: RequestContext, match: RouteMatch): void {
    const route: Route = match.route;
    const service: Service | null = match.service;
    ctx.route = route;
    ctx.service = service;
    ctx.uriCaptures = match.captures;
    if (route.strip_path && match.matchedPath !== '') ctx.strippedPrefix = match.matchedPath;
    if (!service) return;
    const base = service.path ?? '/';
    const join = route.path_handling === 'v1' ? upstreamUriV1 : upstreamUriV0;
    ctx.upstream.path = join(route.strip_path && match.matchedPath !== '', match.postfix, ctx.rawPath, base);
    ctx.upstream.scheme = service.protocol === 'https' ? 'https' : 'http';
  }

  private upstreamHeaders(ctx: RequestContext, service: Service): Record<string, string | string[]> {
    const h = ctx.upstream.headers.clone();
    for (const name of h.names()) if (HOP_BY_HOP.has(name)) h.delete(name);
    const originalHost = ctx.headers.first('host');
    const defaultPort = (ctx.upstream.scheme === 'https' && service.port === 443) || (ctx.upstream.scheme === 'http' && service.port === 80);
    h.set('Host', ctx.route?.preserve_host && originalHost ? originalHost : defaultPort ? service.host : `${service.host}:${service.port}`);
    // trusted_ips is empty by default: incoming X-Forwarded-* are replaced, not appended.
    h.set('X-Forwarded-For', ctx.clientIp);
    h.set('X-Forwarded-Proto', ctx.scheme);
    h.set('X-Forwarded-Host', (originalHost ?? '').replace(/:\d+$/, ''));
    h.set('X-Forwarded-Port', String(ctx.serverPort));
    h.set('X-Forwarded-Path', ctx.rawPath);
    if (ctx.strippedPrefix) h.set('X-Forwarded-Prefix', ctx.strippedPrefix.replace(/\/$/, '') || '/');
    else h.delete('X-Forwarded-Prefix');
    h.set('X-Real-IP', ctx.clientIp);
    h.set('X-Kong-Request-Id', ctx.requestId);
    const body = ctx.upstream.body ?? ctx.body;
    if (body.length > 0 || h.has('content-length')) h.set('Content-Length', String(body.length));
    return h.toNodeHeaders();
  }

  private async proxy(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ctx: RequestContext,
    worker: SimulatedWorker,
    collected: { response: PluginConf[]; log: PluginConf[] },
  ): Promise<void> {
    const service = ctx.service as Service;
    const buffered = collected.response.length > 0;
    const upstreamStart = Date.now();
    const kongLatency = upstreamStart - ctx.startTimeMs;
    ctx.latencies.kongMs = kongLatency;
    const path = ctx.upstream.path + (ctx.upstream.rawQuery !== '' ? `?${ctx.upstream.rawQuery}` : '');
    const body = ctx.upstream.body ?? ctx.body;

    let upstreamRes: http.IncomingMessage;
    try {
      upstreamRes = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const up = http.request({
          host: service.host,
          port: service.port,
          method: ctx.upstream.method,
          path,
          headers: this.upstreamHeaders(ctx, service),
          agent: this.agent,
          timeout: Math.max(service.connect_timeout, service.read_timeout),
        });
        up.on('response', resolve);
        up.on('timeout', () => up.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' })));
        up.on('error', reject);
        up.end(body);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const exit =
        code === 'ETIMEDOUT'
          ? kongErrorResponse(ctx, 504, 'The upstream server is timing out')
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? kongErrorResponse(ctx, 503, 'name resolution failed')
            : kongErrorResponse(ctx, 502, 'An invalid response was received from the upstream server');
      this.opts.log.error(`[proxy] upstream ${service.host}:${service.port}: ${(err as Error).message}`);
      return this.finishWithExit(req, res, ctx, exit, worker, collected.log);
    }

    const upstreamLatencyHeader = (): string => String(Date.now() - upstreamStart);
    if (!buffered) {
      ctx.latencies.upstreamMs = Date.now() - upstreamStart;
      const headers = HeaderBag.fromRaw(upstreamRes.rawHeaders);
      ctx.serviceResponse = { status: upstreamRes.statusCode ?? 502, headers, body: Buffer.alloc(0) };
      const out = this.downstreamHeaders(ctx, headers);
      out.set('X-Kong-Upstream-Latency', upstreamLatencyHeader());
      out.set('X-Kong-Proxy-Latency', String(kongLatency));
      const status = ctx.response.status ?? upstreamRes.statusCode ?? 502;
      this.writeHead(res, status, out, ctx);
      let size = 0;
      upstreamRes.on('data', (c: Buffer) => (size += c.length));
      upstreamRes.pipe(res);
      await new Promise<void>((resolve) => {
        res.on('finish', resolve);
        res.on('close', resolve);
      });
      ctx.serviceResponse.body = Buffer.alloc(0);
      (ctx.serviceResponse as { size?: number }).size = size;
      return this.afterResponse(ctx, worker, collected.log, status);
    }

    // Buffered proxying for response-phase plugins.
    const chunks: Buffer[] = [];
    for await (const c of upstreamRes) chunks.push(c as Buffer);
    ctx.latencies.upstreamMs = Date.now() - upstreamStart;
    ctx.serviceResponse = { status: upstreamRes.statusCode ?? 502, headers: HeaderBag.fromRaw(upstreamRes.rawHeaders), body: Buffer.concat(chunks) };
    ctx.phase = 'response';
    for (const pc of collected.response) {
      const exit = await this.runOne(worker, pc, ctx);
      if (exit) return this.finishWithExit(req, res, ctx, exit, worker, collected.log);
    }
    const out = this.downstreamHeaders(ctx, ctx.serviceResponse.headers);
    out.set('Content-Length', String(ctx.serviceResponse.body.length));
    out.delete('Transfer-Encoding');
    out.set('X-Kong-Upstream-Latency', String(ctx.latencies.upstreamMs));
    out.set('X-Kong-Proxy-Latency', String(kongLatency));
    const status = ctx.response.status ?? ctx.serviceResponse.status;
    this.writeHead(res, status, out, ctx);
    res.end(ctx.serviceResponse.body);
    return this.afterResponse(ctx, worker, collected.log, status);
  }

  /** Upstream headers minus hop-by-hop, with the plugins' kong.response.* changes applied. */
  private downstreamHeaders(ctx: RequestContext, upstream: HeaderBag): HeaderBag {
    const out = upstream.clone();
    for (const name of out.names()) if (HOP_BY_HOP.has(name) && name !== 'transfer-encoding') out.delete(name);
    for (const name of ctx.response.clearedHeaders) out.delete(name);
    for (const name of ctx.response.headers.names()) out.set(name, ctx.response.headers.get(name) ?? []);
    out.add('Via', `1.1 kong/${KONG_VERSION}`);
    return out;
  }

  private writeHead(res: http.ServerResponse, status: number, headers: HeaderBag, ctx: RequestContext): void {
    headers.set('X-Kong-Request-Id', ctx.requestId);
    if (this.opts.debugHeaders) headers.set('X-Kong-Emu-Rpc', rpcSummary(ctx));
    res.writeHead(status, headers.toNodeHeaders());
  }

  /** A response produced by Kong or a plugin (exit/error): plugin response headers + exit headers. */
  private async finishWithExit(
    _req: http.IncomingMessage,
    res: http.ServerResponse,
    ctx: RequestContext,
    exit: ExitResponse,
    worker: SimulatedWorker,
    logPlugins: PluginConf[],
  ): Promise<void> {
    ctx.exit = exit;
    const headers = new HeaderBag();
    for (const name of ctx.response.headers.names()) headers.set(name, ctx.response.headers.get(name) ?? []);
    for (const name of exit.headers.names()) headers.set(name, exit.headers.get(name) ?? []);
    headers.set('Content-Length', String(exit.body.length));
    headers.set('X-Kong-Response-Latency', String(Date.now() - ctx.startTimeMs));
    headers.set('Server', `kong/${KONG_VERSION}`);
    ctx.latencies.kongMs = Date.now() - ctx.startTimeMs;
    this.writeHead(res, exit.status, headers, ctx);
    res.end(exit.body);
    await new Promise<void>((resolve) => {
      if (res.writableFinished) resolve();
      else {
        res.on('finish', resolve);
        res.on('close', resolve);
      }
    });
    return this.afterResponse(ctx, worker, logPlugins, exit.status);
  }

  /** The log phase runs after the response, from a snapshot (Kong: ngx.timer with saved data). */
  private afterResponse(ctx: RequestContext, worker: SimulatedWorker, logPlugins: PluginConf[], status: number): Promise<void> {
    const summary = (): RequestSummary => ({
      requestId: ctx.requestId,
      method: ctx.method,
      path: ctx.rawPath,
      status,
      route: ctx.route?.id ?? null,
      pdkCalls: Object.fromEntries(ctx.pdkCalls),
      rpcCalls: Object.fromEntries(ctx.rpcCalls),
      exitedBy: ctx.exit?.plugin ?? null,
    });
    if (logPlugins.length === 0) {
      this.emit('request', summary());
      return Promise.resolve();
    }
    const responseHeaders = ctx.exit ? ctx.exit.headers.clone() : this.downstreamHeaders(ctx, ctx.serviceResponse?.headers ?? new HeaderBag());
    if (!ctx.exit && ctx.response.status === null) ctx.response.status = status;
    const snapshot: LogSnapshot = {
      serialized: JSON.stringify(serializeRequest(ctx, this.opts.pdkEnv)),
      ngxCtx: new Map(ctx.ngxCtx),
      ctxShared: ctx.ctxShared,
      requestHeaders: ctx.headers.toLuaTable(100),
      responseHeaders: responseHeaders.toLuaTable(100),
      responseStatus: status,
      reqStartTime: ctx.startTimeMs / 1000,
      responseSource: ctx.exit ? 'exit' : 'service',
      uriCaptures: ctx.uriCaptures,
    };
    const run = (async () => {
      for (const pc of logPlugins) {
        const logCtx: RequestContext = { ...ctx, phase: 'log', logSnapshot: snapshot, currentPlugin: { id: pc.plugin.id, name: pc.plugin.name } };
        try {
          await this.opts.driver.handleEvent(worker, pc.plugin.name, pc.conf, 'log', logCtx);
        } catch (err) {
          this.opts.log.error(`[${pc.plugin.name}] log phase failed: ${(err as Error).message}`);
        }
      }
      this.emit('request', summary());
    })();
    this.pendingLogs.add(run);
    void run.finally(() => this.pendingLogs.delete(run));
    return Promise.resolve();
  }
}

function rpcSummary(ctx: RequestContext): string {
  const parts: string[] = [];
  for (const [name, rpc] of ctx.rpcCalls) parts.push(`${name}=${rpc}/${ctx.pdkCalls.get(name) ?? 0}`);
  return parts.join(',');
}
