/**
 * Test helpers for the driver/proxy specs: start the real pluginserver(s) for fixture plugins, a
 * PluginDriver, an echo upstream and a KongProxy on ephemeral ports, all cleaned up by `stop()`.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { GatewayLog, type LogRecord } from '../../gateway/driver/log';
import { PluginDriver } from '../../gateway/driver/driver';
import { startPluginServers, type PluginServerSet, type ServerEntry } from '../../gateway/driver/pluginservers';
import { defaultPdkEnv } from '../../gateway/driver/pdk/functions';
import { KongProxy, type RequestSummary } from '../../gateway/proxy/proxy';
import { StaticConfigSource } from '../../gateway/proxy/static-config';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'plugins');

export interface TestGateway {
  dir: string;
  log: GatewayLog;
  records: LogRecord[];
  servers: PluginServerSet;
  driver: PluginDriver;
  source: StaticConfigSource;
  proxy: KongProxy;
  proxyUrl: string;
  upstreamUrl: string;
  upstreamPort: number;
  summaries: RequestSummary[];
  nextSummary(): Promise<RequestSummary>;
  stop(): Promise<void>;
}

/** An upstream that echoes the request it got as JSON. */
export async function startEchoUpstream(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Upstream': 'echo' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

export async function startTestGateway(plugins: string[], opts: { workers?: number; entry?: ServerEntry } = {}): Promise<TestGateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgw-'));
  const log = new GatewayLog('debug', false);
  const records: LogRecord[] = [];
  log.addSink((r) => records.push(r));
  const servers = await startPluginServers({
    pluginDirs: plugins.map((p) => path.join(FIXTURES, p)),
    prefix: dir,
    log,
    entry: opts.entry ?? 'fixed',
  });
  const pdkEnv = defaultPdkEnv(log, '11111111-2222-4333-8444-555555555555');
  const driver = new PluginDriver({ plugins: servers.endpoints, workers: opts.workers ?? 1, log, pdkEnv, rpcTimeoutMs: 10_000 });
  const source = new StaticConfigSource();
  const proxy = new KongProxy({ source, driver, log, pdkEnv, debugHeaders: true });
  const addr = await proxy.listen(0);
  const upstream = await startEchoUpstream();
  const summaries: RequestSummary[] = [];
  const waiters: Array<(s: RequestSummary) => void> = [];
  proxy.on('request', (s: RequestSummary) => {
    const w = waiters.shift();
    if (w) w(s);
    else summaries.push(s);
  });
  return {
    dir, log, records, servers, driver, source, proxy,
    proxyUrl: `http://127.0.0.1:${addr.port}`,
    upstreamUrl: `http://127.0.0.1:${upstream.port}`,
    upstreamPort: upstream.port,
    summaries,
    nextSummary: () => {
      const s = summaries.shift();
      return s ? Promise.resolve(s) : new Promise((r) => waiters.push(r));
    },
    async stop() {
      await proxy.close();
      driver.close();
      await servers.stop();
      await new Promise<void>((r) => upstream.server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
