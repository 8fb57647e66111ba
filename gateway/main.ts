/**
 * The local gateway (`npm start`): a Kong emulation without Docker or a Kong binary.
 *
 * Starts, in order: one kong-js-pluginserver per plugin in dist/kong-plugins/* (our leak-fixed entry,
 * queried first for the catalog, exactly as Kong does), the demo upstream, the collector, the config
 * store (kong.yaml; KONG_DATABASE=off is DB-less, anything else DB mode persisted under
 * $KONG_PREFIX/.data), the Admin API, the HTTP proxy and the h2c gRPC listener.
 *
 * Environment (Kong names where Kong has one):
 *   KONG_PROXY_LISTEN (127.0.0.1:8000), KONG_ADMIN_LISTEN (127.0.0.1:8001), KONG_GRPC_LISTEN (127.0.0.1:9080),
 *   KONG_DATABASE (postgres: DB mode persisted under $KONG_PREFIX/.data; off: DB-less), KONG_DECLARATIVE_CONFIG (./kong.yaml), KONG_PREFIX (./.kong), KONG_LOG_LEVEL (notice),
 *   KONG_NGINX_WORKER_PROCESSES (2), KONG_PLUGINS_DIR (dist/kong-plugins), COLLECTOR_LISTEN (127.0.0.1:8090),
 *   COLLECTOR_NODE_TOKENS, DEMO_UPSTREAM_PORT (9000), DEMO_UPSTREAM_GRPC_PORT (9001), GATEWAY_NO_DEMO / GATEWAY_NO_COLLECTOR.
 */
import { installHostAliases, parseAliases } from './compose-hosts';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { ConfigSource, PluginCatalog } from './config/types';
import { gatewayLog, type GatewayLog } from './driver/log';
import { PluginDriver } from './driver/driver';
import { startPluginServers, type PluginServerSet, type ServerEntry } from './driver/pluginservers';
import { defaultPdkEnv } from './driver/pdk/functions';
import { KongProxy } from './proxy/proxy';
import { GrpcListener } from './proxy/grpc';
import { ConfigStore } from './config/store';
import { startAdminApi } from './admin/server';
import { startCollector } from '../collector/server';
import { startDemoUpstream, type DemoUpstream } from './demo-upstream/server';

export interface GatewayOptions {
  proxyListen?: string;
  adminListen?: string;
  grpcListen?: string | null;
  collectorListen?: string | null;
  /** Directory holding one sub-directory per plugin (each served by its own pluginserver). */
  pluginsDir?: string;
  /** Extra absolute plugin directories (tests: fixture plugins). */
  extraPluginDirs?: string[];
  prefix?: string;
  database?: string;
  declarativeConfig?: string | null;
  workers?: number;
  demoUpstream?: { port: number; grpcPort: number } | null;
  serverEntry?: ServerEntry;
  debugHeaders?: boolean;
  log?: GatewayLog;
  env?: NodeJS.ProcessEnv;
}

export interface RunningGateway {
  proxyUrl: string;
  adminUrl: string | null;
  grpcUrl: string | null;
  upstreamUrl: string | null;
  upstreamGrpcTarget: string | null;
  collectorUrl: string | null;
  source: ConfigSource;
  catalog: PluginCatalog;
  driver: PluginDriver;
  proxy: KongProxy;
  servers: PluginServerSet;
  stop(): Promise<void>;
}

/** Development-only collector node token (override with COLLECTOR_NODE_TOKENS). */
export const DEV_NODE_TOKENS = 'local-gateway:local-dev-token-change-me';

function splitListen(listen: string, fallbackPort: number): { host: string; port: number } {
  const first = listen.split(',')[0].trim().split(/\s+/)[0];
  const m = /^(.*):(\d+)$/.exec(first);
  const host = (m ? m[1] : first).replace(/^\[|\]$/g, '') || '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error(`refusing to listen on ${host}: the local gateway binds loopback only`);
  }
  return { host, port: m ? Number(m[2]) : fallbackPort };
}

/** Loads an optional sibling module without making the build depend on it. */
function pluginDirsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export async function startGateway(opts: GatewayOptions = {}): Promise<RunningGateway> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? gatewayLog;
  const root = path.resolve(__dirname, fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '..' : '../..');
  const prefix = path.resolve(opts.prefix ?? env.KONG_PREFIX ?? path.join(root, '.kong'));
  fs.mkdirSync(prefix, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => log.error(`[gateway] stop: ${e.message}`));
    cleanups.length = 0;
  };

  try {
    // 1. plugin servers (query -> catalog, then start)
    const pluginsDir = path.resolve(opts.pluginsDir ?? env.KONG_PLUGINS_DIR ?? path.join(root, 'dist', 'kong-plugins'));
    const dirs = [...pluginDirsIn(pluginsDir), ...(opts.extraPluginDirs ?? [])];
    const servers = await startPluginServers({ pluginDirs: dirs, prefix: path.join(prefix, 'sockets'), log, entry: opts.serverEntry ?? 'fixed' });
    cleanups.push(() => servers.stop());
    const nodeId = crypto.randomUUID();
    const pdkEnv = defaultPdkEnv(log, nodeId);
    const driver = new PluginDriver({ plugins: servers.endpoints, workers: opts.workers ?? Number(env.KONG_NGINX_WORKER_PROCESSES ?? 2), log, pdkEnv });
    cleanups.push(async () => driver.close());

    // 2. demo upstream
    let demo: DemoUpstream | null = null;
    if (opts.demoUpstream !== null && !env.GATEWAY_NO_DEMO) {
      demo = await startDemoUpstream(opts.demoUpstream ?? {});
      cleanups.push(() => demo!.stop());
    }

    // 3. collector
    let collectorUrl: string | null = null;
    const collectorListen = opts.collectorListen === undefined ? env.COLLECTOR_LISTEN ?? '127.0.0.1:8090' : opts.collectorListen;
    if (collectorListen && !env.GATEWAY_NO_COLLECTOR) {
      const { host, port } = splitListen(collectorListen, 8090);
      const running = await startCollector({
        dataDir: path.join(prefix, '.data', 'collector'),
        host,
        port,
        nodeTokens: env.COLLECTOR_NODE_TOKENS ?? DEV_NODE_TOKENS,
        databaseUrl: env.COLLECTOR_DATABASE_URL,
      });
      collectorUrl = running.url;
      cleanups.push(() => running.close());
    }

    // 4. configuration
    const database = (opts.database ?? env.KONG_DATABASE ?? 'postgres') === 'off' ? 'off' : 'db';
    const declarative = opts.declarativeConfig === undefined ? env.KONG_DECLARATIVE_CONFIG ?? path.join(root, 'kong.yaml') : opts.declarativeConfig;
    const declarativeFile = declarative && fs.existsSync(declarative) ? declarative : undefined;
    const source = await ConfigStore.open({
      mode: database,
      dataDir: path.join(prefix, '.data'),
      declarativeFile,
      catalog: driver,
      log: (level, m) => log.log(level, `[config] ${m}`),
    });

    // 5. Admin API
    let adminUrl: string | null = null;
    const adminListen = opts.adminListen ?? env.KONG_ADMIN_LISTEN ?? '127.0.0.1:8001';
    if (adminListen !== 'off') {
      const { host, port } = splitListen(adminListen, 8001);
      const running = await startAdminApi({ store: source, catalog: driver, host, port, validatePluginConfig: (name, config) => driver.validateConfig(name, config) });
      adminUrl = running.url;
      cleanups.push(() => running.close());
    }

    // 6. proxy + gRPC
    const proxy = new KongProxy({ source, driver, log, pdkEnv, debugHeaders: opts.debugHeaders ?? env.KONG_EMU_DEBUG_HEADERS === 'on' });
    const pl = splitListen(opts.proxyListen ?? env.KONG_PROXY_LISTEN ?? '127.0.0.1:8000', 8000);
    const proxyAddr = await proxy.listen(pl.port, pl.host);
    cleanups.push(() => proxy.close());
    let grpcUrl: string | null = null;
    const grpcListen = opts.grpcListen === undefined ? env.KONG_GRPC_LISTEN ?? '127.0.0.1:9080' : opts.grpcListen;
    if (grpcListen) {
      const gl = splitListen(grpcListen, 9080);
      const grpcListener = new GrpcListener(proxy, driver, log);
      const addr = await grpcListener.listen(gl.port, gl.host);
      grpcUrl = `http://${gl.host}:${addr.port}`;
      cleanups.push(() => grpcListener.close());
    }

    return {
      proxyUrl: `http://${pl.host}:${proxyAddr.port}`,
      adminUrl,
      grpcUrl,
      upstreamUrl: demo?.httpUrl ?? null,
      upstreamGrpcTarget: demo?.grpcTarget ?? null,
      collectorUrl,
      source,
      catalog: driver,
      driver,
      proxy,
      servers,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * `npm start` runs kong.yaml as written for docker-compose: the compose service names resolve to 127.0.0.1
 * (compose-hosts.ts, here and in the pluginservers through a --require preload), and the env vars that
 * compose gives Kong get local development defaults when unset.
 */
function localDefaults(): void {
  const env = process.env;
  env.API_SHIELD_COLLECTOR_TOKEN ??= DEV_NODE_TOKENS.split(':')[1];
  env.API_SHIELD_KEY_PEPPER ??= 'local-dev-pepper-change-me';
  env.API_SHIELD_REDIS_HOST ??= '127.0.0.1';
  const aliases = parseAliases(env.API_SHIELD_HOST_ALIASES);
  if (aliases.length > 0) {
    installHostAliases(aliases);
    const preload = path.join(__dirname, 'compose-hosts-preload.js');
    if (fs.existsSync(preload) && !(env.NODE_OPTIONS ?? '').includes(preload)) {
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${preload}`.trim();
    }
  }
}

async function main(): Promise<void> {
  localDefaults();
  const gw = await startGateway();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('kong-api-shield local gateway');
  out(`  proxy        ${gw.proxyUrl}`);
  if (gw.grpcUrl) out(`  grpc (h2c)   ${gw.grpcUrl}`);
  out(`  admin        ${gw.adminUrl ?? '(not started)'}`);
  if (gw.upstreamUrl) out(`  demo upstream ${gw.upstreamUrl} (REST, /graphql, grpc-web), gRPC ${gw.upstreamGrpcTarget}`);
  out(`  collector    ${gw.collectorUrl ?? '(not started)'}`);
  for (const [name, proc] of gw.servers.processes) out(`  pluginserver ${name} pid ${proc.pid} socket ${proc.def.socket}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: stopping`);
    void gw.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`gateway failed to start: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
