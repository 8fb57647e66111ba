import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AccessControl } from './access';
import { registerJsonBodyParser } from './body';
import type { CollectorContext } from './context';
import { HttpError } from './http-error';
import { registerDashboardRoutes } from './routes/dashboard';
import { registerEventQueryRoutes } from './routes/events';
import { registerIngestRoutes } from './routes/ingest';
import { registerInventoryRoutes } from './routes/inventory';
import { registerIpListRoutes } from './routes/iplists';
import { registerStatsRoutes } from './routes/stats';
import { openStore } from './store';
import type { Store } from './store/types';
import { parseNodeTokens, type NodeTokens } from './tokens';

export interface CollectorOptions {
  /** Directory of the SQLite file (created if missing); unused with PostgreSQL. */
  dataDir: string;
  /** postgres://… to use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** PostgreSQL schema (default public). */
  pgSchema?: string;
  host: string;
  /** 0 picks a free port (see the returned url). */
  port: number;
  /** Node name -> token, or the COLLECTOR_NODE_TOKENS text form `node-a:tokenA,node-b:tokenB`. */
  nodeTokens: NodeTokens | string;
  /** Protects the dashboard and admin API; when unset they are open to loopback clients only. */
  adminToken?: string | null;
  /** Limit for a request body, compressed and decompressed (default 8 MiB). */
  bodyLimit?: number;
  /** Events older than this are deleted hourly (default 30; 0 keeps everything). */
  retentionDays?: number;
  /** pino level: 'info' logs one line per batch; default 'silent' for embedding and tests. */
  logLevel?: string;
  /** Clock, for tests of expiry. */
  now?: () => number;
}

export interface RunningCollector {
  url: string;
  store: Store;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const nodeTokens = typeof options.nodeTokens === 'string' ? parseNodeTokens(options.nodeTokens) : options.nodeTokens;
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema });
  const ctx: CollectorContext = {
    store,
    access: new AccessControl(nodeTokens, options.adminToken || null),
    now: options.now ?? Date.now,
  };
  const app = buildApp(ctx, options);
  let address: string;
  try {
    address = await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw error;
  }
  if (Object.keys(nodeTokens).length === 0) app.log.warn('no node tokens configured: every ingest request will get 401');
  const stopRetention = scheduleRetention(ctx, app, options.retentionDays ?? 30);
  return {
    url: publicUrl(address, options.host),
    store,
    async close() {
      stopRetention();
      await app.close();
      await store.close();
    },
  };
}

export function buildApp(ctx: CollectorContext, options: Pick<CollectorOptions, 'bodyLimit' | 'logLevel'>): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 8 * 1024 * 1024;
  const app = Fastify({ bodyLimit, logger: { level: options.logLevel ?? 'silent' }, return503OnClosing: true });
  // Only JSON is accepted anywhere; every other content type gets Fastify's 415.
  app.removeAllContentTypeParsers();
  registerJsonBodyParser(app, bodyLimit);
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.statusCode >= 500) request.log.error(error);
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, details: error.details });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal', message: 'internal error, the request was not applied' });
    }
    request.log.warn({ code: error.code, status }, error.message);
    return reply.code(status).send({ error: FASTIFY_CODES[error.code] ?? 'bad_request', message: error.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such endpoint' }));
  registerIngestRoutes(app, ctx);
  registerEventQueryRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  registerIpListRoutes(app, ctx);
  registerInventoryRoutes(app, ctx);
  registerDashboardRoutes(app);
  return app;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
};

function scheduleRetention(ctx: CollectorContext, app: FastifyInstance, days: number): () => void {
  if (!(days > 0)) return () => undefined;
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    const now = ctx.now();
    ctx.store
      .prune(now - days * 24 * HOUR, now)
      .then((deleted) => deleted > 0 && app.log.info({ deleted, days }, 'retention: old events deleted'))
      .catch((error: unknown) => app.log.error({ err: error }, 'retention run failed'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, HOUR);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

function publicUrl(address: string, host: string): string {
  const port = new URL(address).port;
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
