/*
 * Collector bench: bulk-loads N synthetic events (default 1 M) straight into SQLite, then measures
 * (1) HTTP ingest throughput with gzip batches of 100 and 500 events and (2) the dashboard query endpoints.
 * Run alone: npm run build && node dist/bench/collector.js   (COLLECTOR_BENCH_EVENTS, COLLECTOR_BENCH_BUDGET_S)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { eventRowValues, eventTypes, EVENT_COLUMNS, normalizeId } from '../collector/store/rows';
import { SqliteStore } from '../collector/store/sqlite';
import { startCollector } from '../collector/server';
import { makeBatch, syntheticEvent } from '../collector/testing/events';

export interface CollectorBenchOptions {
  /** Stored events to reach before querying (default 1 000 000). */
  events?: number;
  /** Bulk load stops early when it takes longer than this (default 240 s); the row count reached is reported. */
  budgetSeconds?: number;
  log?: (line: string) => void;
}

export interface CollectorBenchResult {
  storedEvents: number;
  loadSeconds: number;
  ingest: { batchSize: number; batches: number; events: number; seconds: number; eventsPerSecond: number }[];
  queries: { name: string; medianMs: number; maxMs: number }[];
}

const DAY = 86_400_000;
const TOKEN = 'bench-node-token-0123456789';

export async function runCollectorBench(options: CollectorBenchOptions = {}): Promise<CollectorBenchResult> {
  const target = options.events ?? 1_000_000;
  const budgetMs = (options.budgetSeconds ?? 240) * 1000;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-bench-'));
  const now = Date.now();
  try {
    log(`collector bench: loading ${target.toLocaleString('en')} events into SQLite (${dataDir})`);
    const load = bulkLoad(path.join(dataDir, 'collector.db'), target, now - 30 * DAY, now, budgetMs);
    log(`  bulk load: ${load.rows.toLocaleString('en')} events in ${load.seconds.toFixed(1)} s (${Math.round(load.rows / load.seconds).toLocaleString('en')} rows/s, indexes built after)`);

    const collector = await startCollector({ dataDir, host: '127.0.0.1', port: 0, nodeTokens: { 'bench-node': TOKEN }, retentionDays: 0 });
    try {
      const ingest = [];
      for (const batchSize of [100, 500]) {
        const result = await ingestOverHttp(collector.url, batchSize, batchSize === 100 ? 200 : 60, now);
        log(`  ingest over HTTP, gzip batches of ${batchSize}: ${result.eventsPerSecond.toLocaleString('en')} events/s (${result.events} events, ${result.seconds.toFixed(2)} s, 4 concurrent)`);
        ingest.push(result);
      }
      const queries = await timeQueries(collector.url, log);
      return { storedEvents: load.rows, loadSeconds: load.seconds, ingest, queries };
    } finally {
      await collector.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Direct batched inserts (no HTTP, no per-row validation), indexes dropped during the load and rebuilt once. */
export function bulkLoad(file: string, target: number, from: number, to: number, budgetMs: number): { rows: number; seconds: number } {
  const store = new SqliteStore(file);
  const db = store.database;
  const started = performance.now();
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'event_types')").all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  db.pragma('synchronous = OFF');
  const insertEvent = db.prepare(`INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
  const insertType = db.prepare('INSERT INTO event_types (event_id, time, type) VALUES (?, ?, ?)');
  const chunk = db.transaction((start: number, end: number) => {
    for (let i = start; i < end; i += 1) {
      const event = syntheticEvent(i, from, to);
      insertEvent.run(eventRowValues(event, 'bench-node', to));
      const time = Date.parse(event.time);
      for (const type of eventTypes(event)) insertType.run(normalizeId(event.id), time, type);
    }
  });
  let rows = 0;
  while (rows < target && performance.now() - started < budgetMs) {
    const end = Math.min(target, rows + 20_000);
    chunk(rows, end);
    rows = end;
  }
  for (const index of indexes) db.exec(index.sql);
  db.exec('ANALYZE');
  db.pragma('synchronous = FULL');
  void store.close();
  return { rows, seconds: (performance.now() - started) / 1000 };
}

async function ingestOverHttp(url: string, batchSize: number, batches: number, now: number) {
  // Bodies are compressed before the clock starts: this measures the collector, not the client's gzip.
  const offset = 2_000_000_000 + batchSize * 1_000_000;
  const bodies = Array.from({ length: batches }, (_, b) => {
    const events = Array.from({ length: batchSize }, (_, i) => syntheticEvent(offset + b * batchSize + i, now - DAY, now));
    return gzipSync(JSON.stringify(makeBatch(events, 'bench-node')));
  });
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const response = await fetch(`${url}/api/v1/events`, { method: 'POST', headers, body });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  if (accepted !== batches * batchSize) throw new Error(`expected ${batches * batchSize} accepted, got ${accepted}`);
  return { batchSize, batches, events: accepted, seconds, eventsPerSecond: Math.round(accepted / seconds) };
}

async function timeQueries(url: string, log: (line: string) => void) {
  const cursorPage = (await (await fetch(`${url}/api/v1/events?range=24h&limit=50`)).json()) as { next_cursor: string };
  const queries: [string, string][] = [
    ['summary 24h', '/api/v1/stats/summary?range=24h'],
    ['summary 30d', '/api/v1/stats/summary?range=30d'],
    ['timeseries 24h', '/api/v1/stats/timeseries?range=24h'],
    ['timeseries 30d', '/api/v1/stats/timeseries?range=30d'],
    ['top routes 24h', '/api/v1/stats/top-routes?range=24h'],
    ['top routes 30d', '/api/v1/stats/top-routes?range=30d'],
    ['top IPs 24h', '/api/v1/stats/top-ips?range=24h'],
    ['top IPs 30d', '/api/v1/stats/top-ips?range=30d'],
    ['events 24h (page 1)', '/api/v1/events?range=24h&limit=50'],
    ['events 24h (page 2, cursor)', `/api/v1/events?range=24h&limit=50&cursor=${cursorPage.next_cursor}`],
    ['events 30d type+action', '/api/v1/events?range=30d&type=xss&action=monitored&limit=50'],
    ['events 30d by IP', '/api/v1/events?range=30d&ip=198.51.7.42&limit=50'],
    ['events 30d by route', '/api/v1/events?range=30d&route=%2Fapi%2Flogin&limit=50'],
    ['events 30d text search', `/api/v1/events?range=30d&q=${encodeURIComponent('etc/shadow')}&limit=50`],
    ['events 30d rare text', `/api/v1/events?range=30d&q=no-such-payload&limit=50`],
  ];
  const results = [];
  for (const [name, query] of queries) {
    const times: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      const response = await fetch(`${url}${query}`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${name} answered ${response.status}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const result = { name, medianMs: round(times[2]), maxMs: round(times[4]) };
    log(`  query ${name.padEnd(28)} median ${String(result.medianMs).padStart(8)} ms   max ${String(result.maxMs).padStart(8)} ms`);
    results.push(result);
  }
  return results;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

if (require.main === module) {
  const events = process.env.COLLECTOR_BENCH_EVENTS ? Number(process.env.COLLECTOR_BENCH_EVENTS) : undefined;
  const budgetSeconds = process.env.COLLECTOR_BENCH_BUDGET_S ? Number(process.env.COLLECTOR_BENCH_BUDGET_S) : undefined;
  runCollectorBench({ events, budgetSeconds }).catch((error: unknown) => {
    process.stderr.write(`collector bench failed: ${String(error)}\n`);
    process.exit(1);
  });
}
