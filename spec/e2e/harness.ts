/**
 * E2E harness. With KONG_ADMIN_URL and KONG_PROXY_URL set, suites run against that gateway (real Kong
 * from docker-compose). Otherwise the local gateway starts in-process on ephemeral ports, with a temp
 * prefix/data dir, DB mode (so the Admin API can write), no declarative config, the built plugins
 * from dist/kong-plugins plus any extra plugin directories.
 *
 * Suites configure ONLY through `adminUrl` and send traffic ONLY to `proxyUrl` (and `grpcUrl`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface E2eGateway {
  adminUrl: string;
  proxyUrl: string;
  grpcUrl?: string;
  /** Where services should point (the demo upstream; for real Kong: E2E_UPSTREAM_URL). */
  upstreamUrl: string;
  upstreamGrpcTarget?: string;
  collectorUrl?: string;
  /** true when running against the in-process local gateway. */
  local: boolean;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra absolute plugin directories (e.g. spec/fixtures/plugins/<name>). */
  extraPluginDirs?: string[];
  /** Use dist/kong-plugins (needs `npm run build`); default true. */
  builtPlugins?: boolean;
  withCollector?: boolean;
  workers?: number;
}

export async function startE2eGateway(opts: HarnessOptions = {}): Promise<E2eGateway> {
  const { KONG_ADMIN_URL, KONG_PROXY_URL } = process.env;
  if (KONG_ADMIN_URL && KONG_PROXY_URL) {
    return {
      adminUrl: KONG_ADMIN_URL.replace(/\/$/, ''),
      proxyUrl: KONG_PROXY_URL.replace(/\/$/, ''),
      grpcUrl: process.env.KONG_GRPC_URL,
      upstreamUrl: process.env.E2E_UPSTREAM_URL ?? 'http://demo-upstream:9000',
      upstreamGrpcTarget: process.env.E2E_UPSTREAM_GRPC_TARGET,
      collectorUrl: process.env.COLLECTOR_URL,
      local: false,
      stop: async () => undefined,
    };
  }
  // Imported lazily so suites against real Kong do not load the emulator.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startGateway } = require('../../gateway/main') as typeof import('../../gateway/main');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GatewayLog, parseLevel } = require('../../gateway/driver/log') as typeof import('../../gateway/driver/log');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'kong-e2e-'));
  const root = path.resolve(__dirname, '..', '..');
  const builtDir = path.join(root, 'dist', 'kong-plugins');
  try {
    const gw = await startGateway({
      proxyListen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      grpcListen: '127.0.0.1:0',
      collectorListen: opts.withCollector ? '127.0.0.1:0' : null,
      pluginsDir: opts.builtPlugins === false ? path.join(prefix, 'no-plugins') : builtDir,
      extraPluginDirs: opts.extraPluginDirs,
      prefix,
      database: 'postgres', // DB mode: persisted under <prefix>/.data, writable through the Admin API
      declarativeConfig: null,
      workers: opts.workers ?? 2,
      demoUpstream: { port: 0, grpcPort: 0 },
      debugHeaders: true,
      // quiet unless asked: E2E_LOG_LEVEL=info shows the pluginserver output
      log: new GatewayLog(parseLevel(process.env.E2E_LOG_LEVEL ?? 'error')),
      env: { ...process.env, GATEWAY_NO_COLLECTOR: opts.withCollector ? '' : '1' },
    });
    if (!gw.adminUrl) {
      await gw.stop();
      throw new Error('local gateway has no Admin API (gateway/admin/server.ts missing)');
    }
    return {
      adminUrl: gw.adminUrl,
      proxyUrl: gw.proxyUrl,
      grpcUrl: gw.grpcUrl ?? undefined,
      upstreamUrl: gw.upstreamUrl ?? '',
      upstreamGrpcTarget: gw.upstreamGrpcTarget ?? undefined,
      collectorUrl: gw.collectorUrl ?? undefined,
      local: true,
      async stop() {
        await gw.stop();
        fs.rmSync(prefix, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(prefix, { recursive: true, force: true });
    throw err;
  }
}
