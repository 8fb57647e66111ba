/**
 * Driver-level harness for the api-waf pluginserver (used by bench/soak.ts and
 * spec/e2e/memory-bounds.test.ts): starts the REAL pluginserver (our entry, with or without the
 * event-leak fix) for dist/kong-plugins/api-waf, a PluginDriver as Kong's side, and runs access-phase
 * events exactly as the proxy does (`driver.handleEvent(worker, 'api-waf', conf, 'access', ctx)`),
 * without HTTP in front. Also reads the server's memory: RSS from /proc/<pid>/status, heap and map
 * sizes through the diagnostic RPC `plugin.ShieldDiagnostics` (gateway/pluginserver/diagnostics.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GatewayLog } from '../../gateway/driver/log';
import { PhaseFailure, PluginDriver, type SimulatedWorker } from '../../gateway/driver/driver';
import { startPluginServers, type PluginServerSet, type ServerEntry } from '../../gateway/driver/pluginservers';
import { defaultPdkEnv } from '../../gateway/driver/pdk/functions';
import { newRequestContext, type RequestContext } from '../../gateway/driver/pdk/context';
import { buildKongConf, SeqRegistry, type KongConf } from '../../gateway/driver/plugins-iterator';
import { RpcClient } from '../../gateway/driver/rpc';
import { makePlugin, StaticConfigSource } from '../../gateway/proxy/static-config';
import type { ConfigSnapshot, Plugin } from '../../gateway/config/types';
import type { ServerDiagnostics } from '../../gateway/pluginserver/diagnostics';

const REPO_ROOT = path.resolve(__dirname, '..', '..', fs.existsSync(path.resolve(__dirname, '..', '..', 'package.json')) ? '' : '..');
export const API_WAF_DIR = path.join(REPO_ROOT, 'dist', 'kong-plugins', 'api-waf');

export type RequestKind = 'benign' | 'blocked';

export interface WafDriverOptions {
  entry?: ServerEntry;
  /** Simulated nginx workers (each its own connection pool and instance cache). Default 2. */
  workers?: number;
  /** api-waf config (schema defaults fill the rest). */
  config?: Record<string, unknown>;
  /** Extra environment for the pluginserver (NODE_OPTIONS etc.). */
  env?: NodeJS.ProcessEnv;
  log?: GatewayLog;
}

export interface WafDriver {
  driver: PluginDriver;
  servers: PluginServerSet;
  socket: string;
  pid(): number | undefined;
  /** Runs one access event; returns the HTTP status the client would get (200 = passed on). */
  access(kind: RequestKind, n: number, clientIp?: string): Promise<{ status: number; ctx: RequestContext }>;
  /** Replaces the plugin entity's config (a new `__seq__`: the next event starts a new instance and closes the old). */
  reconfigure(config: Record<string, unknown>): void;
  diagnostics(gc?: boolean): Promise<ServerDiagnostics>;
  /** VmRSS of the pluginserver from /proc/<pid>/status, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export function procRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** A normal API GET with a few query parameters. */
export function benignUrl(n: number): string {
  return `/api/v1/products?category=shoes&page=${(n % 40) + 1}&sort=price_asc&q=${encodeURIComponent(`running shoes ${n % 97}`)}`;
}

/** The same GET with an SQL injection in a query parameter (varied, so greylisting sees distinct payloads). */
export function blockedUrl(n: number): string {
  return `/api/v1/products?category=shoes&page=${(n % 40) + 1}&sort=price_asc&q=${encodeURIComponent(`shoes' UNION SELECT username, password FROM users WHERE id=${n % 997}-- -`)}`;
}

const HEADERS = ['Host', 'api.example.com', 'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) soak/1.0', 'Accept', 'application/json', 'Accept-Language', 'en-US,en;q=0.9'];

/** A pool of client addresses (an attack from many sources): 10.x.y.z, `n` modulo `size`. */
export function poolIp(n: number, size: number): string {
  const i = n % size;
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export async function startWafDriver(opts: WafDriverOptions = {}): Promise<WafDriver> {
  if (!fs.existsSync(API_WAF_DIR)) throw new Error(`${API_WAF_DIR} missing: run npm run build first`);
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'waf-driver-'));
  const log = opts.log ?? new GatewayLog('error');
  let servers: PluginServerSet;
  try {
    servers = await startPluginServers({ pluginDirs: [API_WAF_DIR], prefix, log, entry: opts.entry ?? 'fixed', env: opts.env });
  } catch (err) {
    fs.rmSync(prefix, { recursive: true, force: true });
    throw err;
  }
  const endpoint = servers.endpoints[0];
  const pdkEnv = defaultPdkEnv(log, '11111111-2222-4333-8444-555555555555');
  const driver = new PluginDriver({ plugins: servers.endpoints, workers: opts.workers ?? 2, log, pdkEnv, rpcTimeoutMs: 30_000 });
  const source = new StaticConfigSource();
  const seqs = new SeqRegistry();
  const pluginId = '6a0b4cd1-7a39-4c43-9d4c-8f0c6c1e2a10';
  let plugin: Plugin;
  let conf: KongConf;
  let snapshot: ConfigSnapshot = source.snapshot();
  const setConfig = (config: Record<string, unknown>): void => {
    plugin = makePlugin({ id: pluginId, name: 'api-waf', config, updated_at: Math.floor(Date.now() / 1000) }, driver);
    conf = buildKongConf(plugin, endpoint.info, snapshot.workspaceId, seqs, () => undefined);
    snapshot = source.set({ plugins: [plugin] });
  };
  setConfig(opts.config ?? { mode: 'block' });
  const diagRpc = new RpcClient(endpoint.socket, () => undefined, 30_000, 1);
  const empty = Buffer.alloc(0);
  let reqSeq = 0;
  const proc = servers.processes.get(endpoint.info.Name)!;

  return {
    driver,
    servers,
    socket: endpoint.socket,
    pid: () => proc.pid,
    async access(kind, n, clientIp = '203.0.113.7') {
      const worker: SimulatedWorker = driver.pickWorker();
      const ctx = newRequestContext({
        requestId: `soak-${++reqSeq}`,
        method: 'GET',
        url: kind === 'blocked' ? blockedUrl(n) : benignUrl(n),
        httpVersion: 1.1,
        scheme: 'http',
        serverPort: 8000,
        rawHeaders: HEADERS,
        body: empty,
        clientIp,
        clientPort: 40000 + (n % 20000),
        snapshot,
      });
      ctx.phase = 'access';
      ctx.currentPlugin = { id: pluginId, name: 'api-waf' };
      try {
        const outcome = await driver.handleEvent(worker, 'api-waf', conf, 'access', ctx);
        return { status: outcome === 'exit' ? ctx.exit?.status ?? 500 : 200, ctx };
      } catch (err) {
        // Kong: a failed StartInstance or a Lua error in a PDK call is HTTP 500 in access.
        if (err instanceof PhaseFailure) return { status: 500, ctx };
        throw err;
      }
    },
    reconfigure(config) {
      setConfig(config);
    },
    async diagnostics(gc = false) {
      return (await diagRpc.call('plugin.ShieldDiagnostics', { gc })) as ServerDiagnostics;
    },
    rss() {
      const pid = proc.pid;
      if (pid === undefined) throw new Error('pluginserver is not running');
      return procRssBytes(pid);
    },
    async stop() {
      diagRpc.close();
      driver.close();
      await servers.stop();
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** A loopback port nobody listens on (bound, then closed): a collector that is down. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
