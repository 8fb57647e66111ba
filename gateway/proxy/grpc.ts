/**
 * gRPC listener (Kong: `proxy_listen ... http2` without TLS, i.e. h2c, e.g. 127.0.0.1:9080). Requests
 * are routed with protocol `grpc`, run the same rewrite/access plugins as HTTP (the request message is
 * buffered, unary calls), then proxied over h2c to the route's grpc service, trailers included.
 * A plugin exit becomes a trailers-only gRPC response with the HTTP status mapped to a grpc-status,
 * as Kong's `kong.response.exit` does for gRPC requests.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { GatewayLog } from '../driver/log';
import type { PluginDriver } from '../driver/driver';
import { newRequestContext, type ExitResponse } from '../driver/pdk/context';
import { kongErrorResponse } from '../driver/pdk/exit';
import { KONG_VERSION } from '../driver/pdk/functions';
import { newRequestId, type KongProxy } from './proxy';

const HTTP_TO_GRPC: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 12, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 502: 14, 503: 14, 504: 4 };

function grpcStatusFor(httpStatus: number): number {
  if (httpStatus >= 200 && httpStatus < 300) return 0;
  return HTTP_TO_GRPC[httpStatus] ?? 2;
}

const STRIP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings']);

export class GrpcListener {
  private server: http2.Http2Server | null = null;
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly serverSessions = new Set<http2.ServerHttp2Session>();

  constructor(private readonly proxy: KongProxy, private readonly driver: PluginDriver, private readonly log: GatewayLog) {}

  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      this.handle(stream, headers).catch((err: Error) => {
        this.log.error(`[grpc] ${err.message}`);
        if (!stream.headersSent && !stream.destroyed) stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '13', 'grpc-message': 'An unexpected error occurred' }, { endStream: true });
      });
    });
    server.on('sessionError', () => undefined);
    server.on('session', (session) => {
      this.serverSessions.add(session);
      session.on('close', () => this.serverSessions.delete(session));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  private session(host: string, port: number): http2.ClientHttp2Session {
    const key = `${host}:${port}`;
    let s = this.sessions.get(key);
    if (!s || s.closed || s.destroyed) {
      s = http2.connect(`http://${key}`);
      s.on('error', () => this.sessions.delete(key));
      s.on('close', () => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  private async handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const rawHeaders: string[] = [];
    for (const [k, v] of Object.entries(headers)) {
      if (k.startsWith(':') && k !== ':authority') continue;
      for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) rawHeaders.push(k === ':authority' ? 'host' : k, String(one));
    }
    const local = stream.session?.socket?.localPort ?? 0;
    const ctx = newRequestContext({
      requestId: newRequestId(),
      method: String(headers[':method'] ?? 'POST'),
      url: String(headers[':path'] ?? '/'),
      httpVersion: 2,
      scheme: 'http',
      serverPort: local,
      rawHeaders,
      body: Buffer.concat(chunks),
      clientIp: (stream.session?.socket?.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      clientPort: stream.session?.socket?.remotePort ?? 0,
      snapshot: this.proxy.snapshot,
    });
    ctx.protocol = 'grpc';
    const worker = this.driver.pickWorker();
    const { exit, collected } = await this.proxy.runRequestPhases(ctx, worker, undefined, undefined, 'grpc');
    if (exit) {
      this.respondExit(stream, exit, ctx.requestId);
      return this.proxy.finishRequest(ctx, worker, collected.log, exit.status);
    }
    const service = ctx.service!;
    const upHeaders: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(ctx.upstream.headers.toNodeHeaders())) if (!STRIP.has(k.toLowerCase())) upHeaders[k.toLowerCase()] = v;
    Object.assign(upHeaders, {
      ':method': ctx.upstream.method,
      ':path': ctx.upstream.path + (ctx.upstream.rawQuery ? `?${ctx.upstream.rawQuery}` : ''),
      ':authority': ctx.route?.preserve_host ? ctx.headers.first('host') ?? service.host : `${service.host}:${service.port}`,
      'x-forwarded-for': ctx.clientIp,
      'x-real-ip': ctx.clientIp,
      'x-kong-request-id': ctx.requestId,
    });
    const started = Date.now();
    let status = 200;
    await new Promise<void>((resolve) => {
      let up: http2.ClientHttp2Stream;
      try {
        up = this.session(service.host, service.port).request(upHeaders);
      } catch (err) {
        this.respondExit(stream, kongErrorResponse(ctx, 502), ctx.requestId);
        this.log.error(`[grpc] upstream: ${(err as Error).message}`);
        return resolve();
      }
      up.on('response', (h) => {
        status = Number(h[':status'] ?? 200);
        const out: http2.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') && !STRIP.has(k)) out[k] = v;
        out[':status'] = status;
        out['via'] = `2 kong/${KONG_VERSION}`;
        out['x-kong-upstream-latency'] = String(Date.now() - started);
        out['x-kong-proxy-latency'] = String(started - ctx.startTimeMs);
        out['x-kong-request-id'] = ctx.requestId;
        if (h['grpc-status'] !== undefined) stream.respond(out, { endStream: true }); // trailers-only
        else stream.respond(out, { waitForTrailers: true });
      });
      let trailers: http2.OutgoingHttpHeaders = {};
      up.on('trailers', (t) => {
        trailers = {};
        for (const [k, v] of Object.entries(t)) if (!k.startsWith(':')) trailers[k] = v as string | string[];
      });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      up.on('data', (c: Buffer) => {
        if (!stream.destroyed) stream.write(c);
      });
      up.on('end', () => {
        if (!stream.destroyed && !stream.writableEnded) stream.end();
        resolve();
      });
      up.on('error', (err) => {
        this.log.error(`[grpc] upstream ${service.host}:${service.port}: ${err.message}`);
        if (!stream.headersSent) this.respondExit(stream, kongErrorResponse(ctx, 502), ctx.requestId);
        else stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        resolve();
      });
      up.end(ctx.upstream.body ?? ctx.body);
    });
    return this.proxy.finishRequest(ctx, worker, collected.log, status);
  }

  private respondExit(stream: http2.ServerHttp2Stream, exit: ExitResponse, requestId: string): void {
    if (stream.destroyed || stream.headersSent) return;
    let message = exit.body.toString('utf8');
    try {
      const parsed = JSON.parse(message) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // plain text body
    }
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': String(grpcStatusFor(exit.status)),
        'grpc-message': encodeURIComponent(message),
        'x-kong-request-id': requestId,
        server: `kong/${KONG_VERSION}`,
      },
      { endStream: true },
    );
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
    for (const s of this.serverSessions) s.destroy();
    this.serverSessions.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
