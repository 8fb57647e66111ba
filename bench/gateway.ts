/**
 * Gateway bench: the full request path through the local gateway (HTTP proxy on loopback → Kong-side
 * driver → REAL api-waf pluginserver → upstream), with api-waf on a route (mode block) versus the same
 * path with no plugin on the route. For a benign GET and a 2 KB JSON POST, at concurrency 1 and 8:
 * latency p50/p99 as seen by the client, requests/s, the ratios plugin/no-plugin, the added latency,
 * and the PDK round trips per request (the proxy's X-Kong-Emu-Rpc debug header: RPCs/PDK calls).
 *
 * Run alone: npm run build && node dist/bench/gateway.js [--requests N] ; bench/run.ts calls runGatewayBench().
 * Numbers are this emulation's on a shared 2-core box, not Kong's: the proxy is Node, not nginx.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startGateway } from '../gateway/main';
import { GatewayLog } from '../gateway/driver/log';

export interface GatewayBenchOptions {
  /** Measured requests per case (default 2000), after `warmup` (default 300). */
  requests?: number;
  warmup?: number;
  concurrencies?: number[];
  log?: (line: string) => void;
}

export interface GatewayCase {
  request: 'GET' | 'POST 2KB JSON';
  concurrency: number;
  plugin: { p50Ms: number; p99Ms: number; rps: number };
  noPlugin: { p50Ms: number; p99Ms: number; rps: number };
  addedP50Ms: number;
  addedP99Ms: number;
  p50Ratio: number;
  p99Ratio: number;
  rpsRatio: number;
}

export interface GatewayBenchResult {
  cases: GatewayCase[];
  /** From X-Kong-Emu-Rpc on a warm request: `rpc` = HandleEvent + Steps, `pdk` = PDK callbacks. */
  roundTrips: { get: { rpc: number; pdk: number }; post: { rpc: number; pdk: number } };
}

const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

function orderJson(targetBytes: number): string {
  const order: { id: string; customer: Record<string, string>; items: Array<Record<string, string | number>>; note: string } = {
    id: 'ord_7f3a2c91',
    customer: { name: 'Jane Doe', email: 'jane.doe@example.com', phone: '+1-202-555-0147', city: 'Springfield' },
    items: [],
    note: 'Leave at the front desk, please.',
  };
  for (let i = 0; JSON.stringify(order).length < targetBytes - 90; i++) {
    order.items.push({ sku: `SKU-${1000 + i}`, name: `Trail running shoe size ${38 + (i % 10)}`, qty: 1 + (i % 3), price: 89.9 + i });
  }
  return JSON.stringify(order);
}

/** A minimal upstream: reads the body, answers a small JSON. */
async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Shot {
  status: number;
  ms: number;
  rpc: string | undefined;
}

function shoot(agent: http.Agent, base: URL, pathName: string, body: string | null): Promise<Shot> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path: pathName,
        method: body === null ? 'GET' : 'POST',
        headers: body === null ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, rpc: res.headers['x-kong-emu-rpc'] as string | undefined }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

async function measure(base: URL, pathName: string, body: string | null, concurrency: number, warmup: number, count: number): Promise<{ p50Ms: number; p99Ms: number; rps: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const run = async (n: number, times: number[] | null): Promise<number> => {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            next++;
            const shot = await shoot(agent, base, pathName, body);
            if (shot.status !== 200) throw new Error(`${body === null ? 'GET' : 'POST'} ${pathName} answered ${shot.status}`);
            times?.push(shot.ms);
          }
        }),
      );
      return (performance.now() - started) / 1000;
    };
    await run(warmup, null);
    const times: number[] = [];
    const seconds = await run(count, times);
    times.sort((a, b) => a - b);
    const pct = (p: number): number => times[Math.min(times.length - 1, Math.floor(times.length * p))];
    return { p50Ms: round3(pct(0.5)), p99Ms: round3(pct(0.99)), rps: Math.round(times.length / seconds) };
  } finally {
    agent.destroy();
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const round2 = (x: number): number => Math.round(x * 100) / 100;

function parseRpc(header: string | undefined): { rpc: number; pdk: number } {
  const m = /api-waf=(\d+)\/(\d+)/.exec(header ?? '');
  return m ? { rpc: Number(m[1]), pdk: Number(m[2]) } : { rpc: 0, pdk: 0 };
}

export async function runGatewayBench(opts: GatewayBenchOptions = {}): Promise<GatewayBenchResult> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const count = opts.requests ?? 2000;
  const warmup = opts.warmup ?? 300;
  const concurrencies = opts.concurrencies ?? [1, 8];
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-'));
  const upstream = await startUpstream();
  let gw: Awaited<ReturnType<typeof startGateway>> | null = null;
  try {
    gw = await startGateway({
      proxyListen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      grpcListen: null,
      collectorListen: null,
      pluginsDir: path.join(ROOT, 'dist', 'kong-plugins'),
      prefix,
      database: 'postgres',
      declarativeConfig: null,
      workers: 2,
      demoUpstream: null,
      debugHeaders: true,
      log: new GatewayLog('crit'),
      env: { ...process.env, GATEWAY_NO_COLLECTOR: '1', GATEWAY_NO_DEMO: '1' },
    });
    const admin = async (method: string, p: string, body: unknown): Promise<{ id: string }> => {
      const res = await fetch(`${gw!.adminUrl}${p}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${p} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const service = await admin('POST', '/services', { name: 'bench', url: upstream.url });
    const on = await admin('POST', `/services/${service.id}/routes`, { name: 'with-waf', paths: ['/waf'] });
    await admin('POST', `/services/${service.id}/routes`, { name: 'no-plugin', paths: ['/plain'] });
    await admin('POST', `/routes/${on.id}/plugins`, { name: 'api-waf', config: { mode: 'block' } });

    const base = new URL(gw.proxyUrl);
    const query = '/api/v1/products?category=shoes&page=2&sort=price_asc&q=running%20shoes';
    const json = orderJson(2048);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // warm requests (instances started), then read the round trips of one request each
    for (let i = 0; i < 4; i++) {
      await shoot(agent, base, `/waf${query}`, null);
      await shoot(agent, base, '/waf/orders', json);
    }
    const getTrips = parseRpc((await shoot(agent, base, `/waf${query}`, null)).rpc);
    const postTrips = parseRpc((await shoot(agent, base, '/waf/orders', json)).rpc);
    agent.destroy();
    log(`gateway (local emulation, HTTP on loopback, api-waf mode block vs no plugin; ${count} requests per case after ${warmup} warm-up)`);
    log(`  PDK round trips per request: GET ${getTrips.pdk} PDK calls (${getTrips.rpc} RPCs incl. HandleEvent), POST ${postTrips.pdk} PDK calls (${postTrips.rpc} RPCs); JSON body ${Buffer.byteLength(json)} bytes`);
    log(`  ${'case'.padEnd(22)} ${'plugin p50/p99 ms'.padStart(19)} ${'none p50/p99 ms'.padStart(17)} ${'added p50/p99 ms'.padStart(17)} ${'rps plugin/none'.padStart(16)}  ratios p50 p99 rps`);
    const cases: GatewayCase[] = [];
    for (const [request, pathName, body] of [
      ['GET', query, null],
      ['POST 2KB JSON', '/orders', json],
    ] as const) {
      for (const c of concurrencies) {
        const plugin = await measure(base, `/waf${pathName}`, body, c, warmup, count);
        const noPlugin = await measure(base, `/plain${pathName}`, body, c, warmup, count);
        const row: GatewayCase = {
          request,
          concurrency: c,
          plugin,
          noPlugin,
          addedP50Ms: round3(plugin.p50Ms - noPlugin.p50Ms),
          addedP99Ms: round3(plugin.p99Ms - noPlugin.p99Ms),
          p50Ratio: round2(plugin.p50Ms / noPlugin.p50Ms),
          p99Ratio: round2(plugin.p99Ms / noPlugin.p99Ms),
          rpsRatio: round2(plugin.rps / noPlugin.rps),
        };
        cases.push(row);
        log(
          `  ${`${request} c=${c}`.padEnd(22)} ${`${plugin.p50Ms.toFixed(2)}/${plugin.p99Ms.toFixed(2)}`.padStart(19)} ${`${noPlugin.p50Ms.toFixed(2)}/${noPlugin.p99Ms.toFixed(2)}`.padStart(17)} ` +
            `${`${row.addedP50Ms.toFixed(2)}/${row.addedP99Ms.toFixed(2)}`.padStart(17)} ${`${plugin.rps}/${noPlugin.rps}`.padStart(16)}  ${row.p50Ratio}× ${row.p99Ratio}× ${row.rpsRatio}×`,
        );
      }
    }
    return { cases, roundTrips: { get: getTrips, post: postTrips } };
  } finally {
    await gw?.stop();
    await upstream.close();
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--requests');
  const requests = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  runGatewayBench({ requests }).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`gateway bench failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
