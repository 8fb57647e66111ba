/**
 * Memory soak of the api-waf pluginserver under attack: `npm run soak` (= build, then
 * `node dist/bench/soak.js`).
 *
 * Path measured: the Kong-side driver (gateway/driver, MessagePack-RPC over a Unix socket exactly as
 * Kong 3.x mp_rpc) -> the REAL pluginserver (our entry gateway/pluginserver/server.ts, kong-pdk 0.6.0)
 * running dist/kong-plugins/api-waf in `block` mode. No HTTP in front: 500 000 requests through the
 * local proxy would measure the emulated proxy, not the pluginserver. Per request: one access event =
 * HandleEvent + 4 PDK callbacks (get_method, get_path_with_query, get_headers, get_forwarded_ip); a
 * blocked request ends with kong.response.exit, which Kong never answers (the event-leak path).
 *
 * For each mix (benign | blocked | half | all) it starts a fresh pluginserver, warms up, then prints
 * the server's RSS (/proc/<pid>/status VmRSS; after the GC, settled, lowest of three readings) and V8
 * heap (after a forced GC; diagnostic RPC plugin.ShieldDiagnostics) after warm-up and at the end, with
 * readings in between, requests/s, the open-event count, and the
 * plugin's bounded state (greylist store sizes, reporter queue). Then the same run WITHOUT the leak fix
 * (`--no-leak-fix`), so the soak visibly fails when the fix is missing.
 *
 * Flags: --requests N (500000)  --mix benign|blocked|half|all (all)  --no-fix-compare
 *        --unfixed-requests N (min(N, 100000): the leak is linear, the line prints the extrapolation)
 *        --concurrency C (8)  --ips N (4096 client addresses)  --warmup N (min(20000, N/10))
 *        --reporting down|sink|off (down, the default: events go to a closed loopback port, i.e. the
 *        collector is unreachable during the attack, so the reporter queue sits at its cap and drops;
 *        sink: to a counting HTTP sink on loopback, every event delivered; off: no reporting)
 *        --max-rss-growth-mb M (30: the pass/fail bound for every fixed run, on the RSS trend)
 *        --samples N (10 memory readings after warm-up)
 * Exit code 1 when a fixed run exceeds the RSS bound or a request got an unexpected status.
 * Bounded: stops after N requests per run; every process it starts is stopped.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { ServerEntry } from '../gateway/driver/pluginservers';
import type { ServerDiagnostics } from '../gateway/pluginserver/diagnostics';
import { closedPort, poolIp, startWafDriver, type RequestKind, type WafDriver } from '../spec/gateway/waf-driver';

export type Mix = 'benign' | 'blocked' | 'half';

export interface SoakOptions {
  requests: number;
  /** Requests per run WITHOUT the leak fix (the leak is linear, so a shorter run shows it; default min(N, 100000)). */
  unfixedRequests: number;
  mixes: Mix[];
  compareUnfixed: boolean;
  concurrency: number;
  ips: number;
  warmup: number;
  reporting: 'sink' | 'down' | 'off';
  maxRssGrowthMb: number;
  /** Memory readings between warm-up and the end (default 5). */
  samples: number;
  log?: (line: string) => void;
}

export interface MemoryPoint {
  requests: number;
  rssMb: number;
  heapUsedMb: number;
  /** V8 heap committed, and memory outside the V8 heap (Buffers, native). */
  heapTotalMb: number;
  externalMb: number;
  events: number;
}

export interface SoakRun {
  mix: Mix;
  leakFix: boolean;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  blocked: number;
  passed: number;
  unexpected: number;
  warm: MemoryPoint;
  end: MemoryPoint;
  samples: MemoryPoint[];
  /** End minus warm-up reading (single readings: V8's committed heap moves RSS by ±25 MB between them). */
  rssGrowthMb: number;
  /** Median of the last three readings minus median of the first three: the trend a leak shows. */
  rssTrendMb: number;
  heapGrowthMb: number;
  peakRssMb: number | null;
  instances: number;
  pluginState: Record<string, unknown>;
  sinkEvents: number | null;
}

const MB = 1024 * 1024;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** A stand-in for the collector that only counts: `POST /api/v1/events` (gzip JSON batch). */
async function startCountingSink(): Promise<{ url: string; events: () => number; close: () => Promise<void> }> {
  let events = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const raw = Buffer.concat(chunks);
        const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as { events?: unknown[] };
        const n = Array.isArray(body.events) ? body.events.length : 0;
        events += n;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: n, duplicates: 0 }));
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    events: () => events,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}


function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? 0 : v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function kindFor(mix: Mix, n: number): RequestKind {
  if (mix === 'half') return n % 2 === 0 ? 'blocked' : 'benign';
  return mix;
}

async function memoryPoint(waf: WafDriver, requests: number): Promise<{ point: MemoryPoint; diag: ServerDiagnostics }> {
  const diag = await waf.diagnostics(true);
  // V8 returns the pages a full GC freed from a background thread; RSS read at once can still count
  // them. Settle, then take the lowest of three readings.
  let rss = Infinity;
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, i === 0 ? 250 : 100));
    rss = Math.min(rss, waf.rss());
  }
  const point = {
    requests,
    rssMb: round1(rss / MB),
    heapUsedMb: round1(diag.heapUsedBytes / MB),
    heapTotalMb: round1(diag.heapTotalBytes / MB),
    externalMb: round1(diag.externalBytes / MB),
    events: diag.events,
  };
  return { point, diag };
}

export async function soakOnce(mix: Mix, leakFix: boolean, allOpts: SoakOptions): Promise<SoakRun> {
  const opts = leakFix ? allOpts : { ...allOpts, requests: allOpts.unfixedRequests };
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const sink = opts.reporting === 'sink' ? await startCountingSink() : null;
  const collectorUrl = sink ? sink.url : opts.reporting === 'down' ? `http://127.0.0.1:${await closedPort()}` : null;
  const entry: ServerEntry = leakFix ? 'fixed' : 'fixed-no-leak-fix';
  const waf = await startWafDriver({
    entry,
    workers: 2,
    // --expose-gc lets the diagnostic RPC collect before measuring the heap (retained, not garbage).
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
    config: {
      mode: 'block',
      greylisting: { policy: 'local' },
      reporting: collectorUrl ? { collector_url: collectorUrl, token: 'soak-token', batch_size: 100, flush_interval_ms: 1000, queue_size: 10000 } : {},
    },
  });
  try {
    let next = 0;
    let blocked = 0;
    let passed = 0;
    let unexpected = 0;
    const runUntil = async (limit: number): Promise<void> => {
      const loop = async (): Promise<void> => {
        while (next < limit) {
          const n = next++;
          const kind = kindFor(mix, n);
          const { status } = await waf.access(kind, n, poolIp(n, opts.ips));
          if (status === 403 && kind === 'blocked') blocked++;
          else if (status === 200 && kind === 'benign') passed++;
          else if (++unexpected <= 5) log(`  unexpected: ${kind} request #${n} answered ${status}`);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, loop));
    };

    const warmupCount = Math.min(opts.warmup, Math.floor(opts.requests / 2));
    await runUntil(warmupCount);
    const warm = await memoryPoint(waf, next);
    const samples: MemoryPoint[] = [warm.point];
    const started = performance.now();
    const steps = opts.samples;
    for (let s = 1; s <= steps; s++) {
      await runUntil(warmupCount + Math.round(((opts.requests - warmupCount) * s) / steps));
      if (s < steps) samples.push((await memoryPoint(waf, next)).point);
    }
    const seconds = (performance.now() - started) / 1000;
    // Let the reporter's last batch (flush interval 1 s) leave before the final reading.
    if (sink) await new Promise((r) => setTimeout(r, 1500));
    const end = await memoryPoint(waf, next);
    samples.push(end.point);
    return {
      mix,
      leakFix,
      requests: next,
      seconds: round1(seconds),
      requestsPerSecond: Math.round((next - warmupCount) / seconds),
      blocked,
      passed,
      unexpected,
      warm: warm.point,
      end: end.point,
      samples,
      rssGrowthMb: round1(end.point.rssMb - warm.point.rssMb),
      rssTrendMb: round1(median(samples.slice(-3).map((p) => p.rssMb)) - median(samples.slice(0, 3).map((p) => p.rssMb))),
      heapGrowthMb: round1(end.point.heapUsedMb - warm.point.heapUsedMb),
      peakRssMb: end.diag.peakRssBytes === null ? null : round1(end.diag.peakRssBytes / MB),
      instances: end.diag.instances,
      pluginState: end.diag.modules,
      sinkEvents: sink ? sink.events() : null,
    };
  } finally {
    await waf.stop();
    await sink?.close();
  }
}

function describeState(state: Record<string, unknown>): string {
  const parts: string[] = [];
  const wc = state['window-counter'] as { local?: { counters: number; distinct: number; bans: number; maxEntries: number } } | undefined;
  if (wc?.local) parts.push(`greylist store: distinct=${wc.local.distinct} bans=${wc.local.bans} counters=${wc.local.counters} (cap ${wc.local.maxEntries} each)`);
  const rep = state.reporter as Array<{ queued: number; counters: { enqueued: number; sent: number }; dropped: Record<string, number> }> | undefined;
  for (const r of rep ?? []) {
    const dropped = Object.entries(r.dropped).map(([k, v]) => `${k}=${v}`).join(',') || 'none';
    parts.push(`reporter: queued=${r.queued} enqueued=${r.counters.enqueued} sent=${r.counters.sent} dropped=${dropped}`);
  }
  return parts.join('; ');
}

export function printRun(r: SoakRun, log: (line: string) => void): void {
  const fix = r.leakFix ? 'fixed  ' : 'UNFIXED';
  log(
    `${r.mix.padEnd(7)} ${fix} ${String(r.requests).padStart(8)} req  ${String(r.requestsPerSecond).padStart(6)} req/s  ` +
      `RSS ${r.warm.rssMb} -> ${r.end.rssMb} MB (${r.rssGrowthMb >= 0 ? '+' : ''}${r.rssGrowthMb}; trend ${r.rssTrendMb >= 0 ? '+' : ''}${r.rssTrendMb})  ` +
      `heap ${r.warm.heapUsedMb} -> ${r.end.heapUsedMb} MB (${r.heapGrowthMb >= 0 ? '+' : ''}${r.heapGrowthMb})  ` +
      `open events ${r.warm.events} -> ${r.end.events}  instances ${r.instances}` +
      (r.unexpected > 0 ? `  UNEXPECTED ${r.unexpected}` : ''),
  );
  log(`        samples (requests: RSS / heap used / heap committed / external MB / open events): ${r.samples.map((s) => `${s.requests}: ${s.rssMb}/${s.heapUsedMb}/${s.heapTotalMb}/${s.externalMb}/${s.events}`).join('  ')}`);
  const state = describeState(r.pluginState);
  if (state) log(`        ${state}${r.sinkEvents !== null ? `; sink received ${r.sinkEvents} events` : ''}`);
}

export async function runSoak(opts: SoakOptions): Promise<{ runs: SoakRun[]; ok: boolean }> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  log(
    `soak: api-waf pluginserver (block mode), driver level (MessagePack-RPC over a Unix socket, no HTTP); ` +
      `${opts.requests} requests per run (${opts.compareUnfixed ? `${opts.unfixedRequests} unfixed` : 'no unfixed runs'}), warm-up ${Math.min(opts.warmup, Math.floor(opts.requests / 2))}, concurrency ${opts.concurrency}, ` +
      `${opts.ips} client IPs, reporting ${opts.reporting}`,
  );
  const runs: SoakRun[] = [];
  let ok = true;
  for (const mix of opts.mixes) {
    for (const leakFix of opts.compareUnfixed ? [true, false] : [true]) {
      const r = await soakOnce(mix, leakFix, opts);
      printRun(r, log);
      runs.push(r);
      if (r.unexpected > 0) ok = false;
      // Judged on the trend (medians of three readings at each end), so one reading taken while V8 had
      // more heap committed does not decide; a leak grows every reading and fails either way.
      if (leakFix && r.rssTrendMb > opts.maxRssGrowthMb) {
        ok = false;
        log(`        FAIL: RSS grew ${r.rssTrendMb} MB (trend) > ${opts.maxRssGrowthMb} MB with the leak fix`);
      }
    }
  }
  const fixedBlocked = runs.find((r) => r.mix === 'blocked' && r.leakFix);
  const unfixedBlocked = runs.find((r) => r.mix === 'blocked' && !r.leakFix);
  if (fixedBlocked && unfixedBlocked) {
    const leaked = Math.max(1, unfixedBlocked.end.events - unfixedBlocked.warm.events);
    const rssPerEvent = (unfixedBlocked.rssGrowthMb * MB) / leaked;
    const measured = unfixedBlocked.requests - unfixedBlocked.warm.requests;
    const target = fixedBlocked.requests - fixedBlocked.warm.requests;
    log(
      `blocked: RSS growth with the fix ${fixedBlocked.rssGrowthMb} MB (trend ${fixedBlocked.rssTrendMb}) over ${target} requests; ` +
        `without it ${unfixedBlocked.rssGrowthMb} MB (trend ${unfixedBlocked.rssTrendMb}) over ${measured} ` +
        `(${Math.round(rssPerEvent)} B RSS and ${Math.round((unfixedBlocked.heapGrowthMb * MB) / leaked)} B heap per leaked event` +
        (measured < target ? `; ≈ ${Math.round((rssPerEvent * target) / MB)} MB over ${target} by extrapolation)` : ')'),
    );
  }
  log(ok ? 'soak: OK' : 'soak: FAILED');
  return { runs, ok };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

export function parseSoakArgs(argv: string[]): SoakOptions {
  const requests = Number(flag(argv, '--requests') ?? 500_000);
  const mixArg = flag(argv, '--mix') ?? 'all';
  const mixes: Mix[] = mixArg === 'all' ? ['benign', 'blocked', 'half'] : [mixArg as Mix];
  for (const m of mixes) if (!['benign', 'blocked', 'half'].includes(m)) throw new Error(`--mix ${m}: expected benign|blocked|half|all`);
  const reporting = (flag(argv, '--reporting') ?? 'down') as SoakOptions['reporting'];
  if (!['sink', 'down', 'off'].includes(reporting)) throw new Error(`--reporting ${reporting}: expected sink|down|off`);
  const opts: SoakOptions = {
    requests,
    unfixedRequests: Number(flag(argv, '--unfixed-requests') ?? Math.min(requests, 100_000)),
    mixes,
    compareUnfixed: !argv.includes('--no-fix-compare'),
    concurrency: Number(flag(argv, '--concurrency') ?? 8),
    ips: Number(flag(argv, '--ips') ?? 4096),
    warmup: Number(flag(argv, '--warmup') ?? Math.min(20_000, Math.floor(requests / 10))),
    reporting,
    maxRssGrowthMb: Number(flag(argv, '--max-rss-growth-mb') ?? 30),
    samples: Number(flag(argv, '--samples') ?? 10),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'samples' && (v as number) < 3) throw new Error('--samples: at least 3');
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= (k === 'warmup' ? 0 : 1))) throw new Error(`--${k}: ${v} is not a positive integer`);
  }
  return opts;
}

if (require.main === module) {
  let opts: SoakOptions;
  try {
    opts = parseSoakArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  runSoak(opts).then(
    ({ ok }) => process.exit(ok ? 0 : 1),
    (err: Error) => {
      process.stderr.write(`soak failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
