/**
 * Fire-and-forget event reporting to the collector (contracts/event.schema.json:
 * `POST <collector>/api/v1/events`, gzip JSON, `Authorization: Bearer <token>`).
 *
 * - `enqueue()` is synchronous, O(1), never throws and never waits: the request path only pushes
 *   onto a bounded in-memory queue (full → the event is dropped and counted in `dropped.queue_full`).
 * - Batches are sent when `batchSize` events are queued or every `flushIntervalMs`.
 * - A batch that cannot be delivered (network error, timeout, 5xx, 401/403/408/429) goes to the
 *   DISK SPOOL, if `spoolDir` is set: one write-once file per batch (`<ms>-<pid>-<seq>.batch`,
 *   gzip JSON array of events; written as `.tmp` then renamed, so a crash never leaves half a
 *   batch). Files are never modified, only deleted once the collector acknowledged them. Spooled
 *   batches are resent oldest first, with exponential backoff + jitter between attempts; while
 *   backing off, new batches go straight to the spool. On start, a reporter resends what an
 *   earlier process left in the directory. Several processes may share one directory: a file is
 *   claimed by renaming it to `<name>.<pid>.sending` (atomic), and claims of dead processes are
 *   released on start. Spool full (`maxSpoolBytes`) → the batch is dropped (`dropped.spool_full`).
 *   Without a spool, undelivered batches are put back in the queue while it has room.
 * - 400/413/422 answers mean the collector will never accept the batch: it is dropped
 *   (`dropped.rejected`), not retried.
 * - Every event has a UUID; a retry resends the same ids, so the collector deduplicates.
 * - `dropped` counters (since process start) ride along in every batch.
 * - On SIGTERM (how Kong stops a pluginserver) the in-memory queue is written to the spool
 *   synchronously before the process dies, so a restart loses nothing that was enqueued.
 * - One reporter per (endpoint, token) per process: `sharedReporter()`.
 */
import type { ContractEvent, EventFinding } from '../../contracts/event';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backoffMs, postToCollector } from './collector-post';


export type { EventAction, EventKind } from '../../contracts/event';
export type Finding = EventFinding;
/** One event as the contract defines it. */
export type ShieldEvent = ContractEvent;

/** What callers pass: `id` and `time` are filled in when absent. */
export type EventInput = Omit<ShieldEvent, 'id' | 'time'> & { id?: string; time?: string };

export interface ReporterOptions {
  /** Collector base URL (`http://host:port`) or the full events URL (`…/api/v1/events`). */
  endpoint: string;
  token?: string | null;
  /** Default: the host name. */
  nodeId?: string;
  /** Events per batch, 1..1000. Default 200. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** In-memory queue cap (events). Default 10 000. */
  maxQueue?: number;
  requestTimeoutMs?: number;
  /** Directory of the disk spool; null/undefined = no spool. */
  spoolDir?: string | null;
  /** Default 64 MiB. */
  maxSpoolBytes?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Test seams. */
  fetchImpl?: typeof fetch;
  random?: () => number;
}

const LIMITS: Record<string, number> = {
  application_id: 128,
  request_id: 128,
  route_id: 64,
  service_id: 64,
  consumer_id: 64,
  client_ip: 64,
  host: 255,
  method: 16,
  path: 2048,
  rule: 128,
};

function cut(value: unknown, max: number): string {
  const s = typeof value === 'string' ? value : String(value ?? '');
  return s.length > max ? s.slice(0, max) : s;
}

/** Fills id/time and cuts every field to the contract's limits, so the collector never rejects it. */
export function normalizeEvent(input: EventInput): ShieldEvent {
  const ev: ShieldEvent = {
    ...input,
    id: input.id ?? randomUUID(),
    time: input.time ?? new Date().toISOString(),
    attack_types: (input.attack_types ?? []).slice(0, 32).map((t) => cut(t, 32)),
    findings: (input.findings ?? []).slice(0, 64).map((f) => {
      const out: Finding = { type: cut(f.type, 32), point: cut(f.point, 512) };
      if (f.excerpt !== undefined) out.excerpt = cut(f.excerpt, 512);
      if (typeof f.confidence === 'number') out.confidence = Math.min(1, Math.max(0, f.confidence));
      if (f.detail !== undefined) out.detail = cut(f.detail, 256);
      return out;
    }),
  };
  const record = ev as unknown as Record<string, unknown>;
  for (const [field, max] of Object.entries(LIMITS)) {
    const v = record[field];
    if (typeof v === 'string' && v.length > max) record[field] = v.slice(0, max);
  }
  if (!ev.request_id) ev.request_id = '';
  if (!ev.client_ip) ev.client_ip = '';
  if (!ev.method) ev.method = '';
  if (!ev.path) ev.path = '';
  if (ev.status !== undefined && ev.status !== null && !(Number.isInteger(ev.status) && ev.status >= 100 && ev.status <= 599)) {
    ev.status = null;
  }
  return ev;
}

interface SpoolFile {
  name: string;
  bytes: number;
}

type SendOutcome = 'ok' | 'retry' | 'rejected';

export class Reporter {
  readonly url: string;
  private readonly opts: Required<Omit<ReporterOptions, 'token' | 'spoolDir' | 'fetchImpl'>> & {
    token: string | null;
    spoolDir: string | null;
  };
  private readonly fetchImpl: typeof fetch;
  private queue: ShieldEvent[] = [];
  private readonly dropped: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private stopped = false;
  private spoolSeq = 0;
  private spoolBytes = 0;
  readonly counters = { enqueued: 0, sent: 0, spooled: 0, batchesSent: 0, sendErrors: 0 };
  lastError: string | undefined;

  constructor(options: ReporterOptions) {
    const endpoint = options.endpoint.replace(/\/+$/, '');
    this.url = endpoint.endsWith('/api/v1/events') ? endpoint : `${endpoint}/api/v1/events`;
    this.opts = {
      endpoint,
      token: options.token ?? null,
      nodeId: options.nodeId ?? os.hostname(),
      batchSize: Math.min(1000, Math.max(1, options.batchSize ?? 200)),
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxQueue: options.maxQueue ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      spoolDir: options.spoolDir ?? null,
      maxSpoolBytes: options.maxSpoolBytes ?? 64 * 1024 * 1024,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      random: options.random ?? Math.random,
    };
    this.fetchImpl = options.fetchImpl ?? fetch;
    if (this.opts.spoolDir) {
      try {
        this.recoverSpool();
      } catch (err) {
        this.lastError = `spool unusable: ${(err as Error).message}`;
        this.opts.spoolDir = null;
      }
      if (this.opts.spoolDir) {
        liveReporters.add(this);
        installSigtermHandler();
        if (this.listSpool().length > 0) this.schedule(0);
      }
    }
  }

  /** Queues an event for delivery. Never throws, never blocks. */
  enqueue(input: EventInput): void {
    try {
      if (this.stopped || this.queue.length >= this.opts.maxQueue) {
        this.drop(this.stopped ? 'stopped' : 'queue_full', 1);
        return;
      }
      this.queue.push(normalizeEvent(input));
      this.counters.enqueued++;
      this.schedule(this.queue.length >= this.opts.batchSize ? 0 : this.opts.flushIntervalMs);
    } catch {
      this.drop('invalid', 1);
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  droppedCounts(): Record<string, number> {
    return { ...this.dropped };
  }

  spoolStats(): { files: number; bytes: number } {
    if (!this.opts.spoolDir) return { files: 0, bytes: 0 };
    return { files: this.listSpool().length, bytes: this.spoolBytes };
  }

  /** Sends what is queued (and spooled) now. Resolves when this attempt is over; never rejects. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush()
      .catch((err: unknown) => {
        this.lastError = `flush: ${(err as Error)?.message ?? String(err)}`;
      })
      .finally(() => {
        this.flushing = undefined;
        if (!this.stopped && (this.queue.length > 0 || this.hasSpool())) {
          this.schedule(Math.max(this.opts.flushIntervalMs, this.retryAt - Date.now()));
        }
      });
    return this.flushing;
  }

  /** Final flush; whatever cannot be delivered is spooled (or dropped without a spool). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retryAt = 0;
    await this.flush();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0) {
      const rest = this.queue;
      this.queue = [];
      for (let i = 0; i < rest.length; i += this.opts.batchSize) this.spoolSync(rest.slice(i, i + this.opts.batchSize));
    }
    liveReporters.delete(this);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  private drop(reason: string, n: number): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
  }

  private backingOff(): boolean {
    return Date.now() < this.retryAt;
  }

  private noteFailure(): void {
    this.failures++;
    this.retryAt = Date.now() + backoffMs(this.failures, this.opts.backoffBaseMs, this.opts.backoffMaxMs, this.opts.random);
  }

  private async doFlush(): Promise<void> {
    // 1. Spooled batches first (oldest first), unless the collector is in backoff.
    if (this.opts.spoolDir && !this.backingOff()) {
      for (const file of this.listSpool()) {
        if (this.backingOff()) break;
        const outcome = await this.sendSpoolFile(file);
        if (outcome === 'retry') break;
      }
    }
    // 2. The queue, batch by batch.
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize);
      if (this.backingOff() || (this.opts.spoolDir && this.hasSpool())) {
        // Keep order and spare the collector: behind a spool or in backoff, new batches go to disk.
        if (!this.park(batch)) break;
        continue;
      }
      const outcome = await this.send(batch);
      if (outcome === 'retry' && !this.park(batch)) break;
    }
  }

  /** Puts an undeliverable batch aside: spool, or back into the queue. False = stop flushing now. */
  private park(batch: ShieldEvent[]): boolean {
    if (this.opts.spoolDir) {
      this.spoolSync(batch);
      return true;
    }
    const room = this.opts.maxQueue - this.queue.length;
    if (room < batch.length) this.drop('queue_full', batch.length - Math.max(0, room));
    this.queue.unshift(...batch.slice(0, Math.max(0, room)));
    return false;
  }

  private async send(events: ShieldEvent[]): Promise<SendOutcome> {
    const body: Record<string, unknown> = { node_id: this.opts.nodeId.slice(0, 128), sent_at: new Date().toISOString(), events };
    if (Object.keys(this.dropped).length > 0) body.dropped = { ...this.dropped };
    const { outcome, error } = await postToCollector({ url: this.url, token: this.opts.token, body, timeoutMs: this.opts.requestTimeoutMs, fetchImpl: this.fetchImpl });
    if (error) this.lastError = error;
    if (outcome === 'ok') {
      this.failures = 0;
      this.retryAt = 0;
      this.counters.sent += events.length;
      this.counters.batchesSent++;
    } else if (outcome === 'rejected') {
      this.drop('rejected', events.length);
    } else {
      this.counters.sendErrors++;
      this.noteFailure();
    }
    return outcome;
  }

  // ---- disk spool ----

  private hasSpool(): boolean {
    return this.opts.spoolDir !== null && this.listSpool().length > 0;
  }

  private listSpool(): string[] {
    if (!this.opts.spoolDir) return [];
    try {
      return fs
        .readdirSync(this.opts.spoolDir)
        .filter((n) => n.endsWith('.batch'))
        .sort(compareSpoolNames);
    } catch {
      return [];
    }
  }

  private recoverSpool(): void {
    const dir = this.opts.spoolDir!;
    fs.mkdirSync(dir, { recursive: true });
    let bytes = 0;
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name.endsWith('.tmp')) {
        const pid = Number(name.split('-')[1]);
        if (!pidAlive(pid)) fs.rmSync(full, { force: true });
        continue;
      }
      const claim = /^(.+\.batch)\.(\d+)\.sending$/.exec(name);
      if (claim && !pidAlive(Number(claim[2]))) {
        try {
          fs.renameSync(full, path.join(dir, claim[1]));
        } catch {
          /* someone else recovered it */
        }
      }
      try {
        bytes += fs.statSync(path.join(dir, claim ? claim[1] : name)).size;
      } catch {
        /* vanished */
      }
    }
    this.spoolBytes = bytes;
  }

  /** Writes one batch as a write-once spool file. Synchronous so it also works inside SIGTERM. */
  spoolSync(events: ShieldEvent[]): void {
    const dir = this.opts.spoolDir;
    if (!dir || events.length === 0) {
      if (events.length > 0) this.drop('no_spool', events.length);
      return;
    }
    try {
      const data = gzipSync(Buffer.from(JSON.stringify(events)));
      if (this.spoolBytes + data.length > this.opts.maxSpoolBytes) {
        this.drop('spool_full', events.length);
        return;
      }
      const name = `${Date.now()}-${process.pid}-${this.spoolSeq++}.batch`;
      const tmp = path.join(dir, `${name}.tmp`);
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, path.join(dir, name));
      this.spoolBytes += data.length;
      this.counters.spooled += events.length;
    } catch (err) {
      this.lastError = `spool write: ${(err as Error).message}`;
      this.drop('spool_error', events.length);
    }
  }

  private async sendSpoolFile(name: string): Promise<SendOutcome | 'skipped'> {
    const dir = this.opts.spoolDir!;
    const full = path.join(dir, name);
    const claimed = `${full}.${process.pid}.sending`;
    try {
      fs.renameSync(full, claimed);
    } catch {
      return 'skipped'; // another process took it
    }
    let file: SpoolFile;
    let events: ShieldEvent[];
    try {
      const data = fs.readFileSync(claimed);
      file = { name, bytes: data.length };
      events = JSON.parse(gunzipSync(data).toString('utf8')) as ShieldEvent[];
      if (!Array.isArray(events)) throw new Error('not an array');
    } catch (err) {
      // A corrupt file can never be sent: count and remove it instead of retrying forever.
      this.lastError = `spool read ${name}: ${(err as Error).message}`;
      this.drop('spool_corrupt', 1);
      fs.rmSync(claimed, { force: true });
      return 'rejected';
    }
    const outcome = events.length === 0 ? 'ok' : await this.send(events);
    if (outcome === 'retry') {
      try {
        fs.renameSync(claimed, full);
      } catch {
        /* keep the claim; released on next start */
      }
    } else {
      fs.rmSync(claimed, { force: true });
      this.spoolBytes = Math.max(0, this.spoolBytes - file.bytes);
    }
    return outcome;
  }

  /** Called from the SIGTERM handler: everything still queued goes to disk, synchronously. */
  spoolQueueNow(): void {
    const rest = this.queue;
    this.queue = [];
    for (let i = 0; i < rest.length; i += this.opts.batchSize) this.spoolSync(rest.slice(i, i + this.opts.batchSize));
  }
}

function compareSpoolNames(a: string, b: string): number {
  const [ta, pa, sa] = a.split(/[-.]/).map(Number);
  const [tb, pb, sb] = b.split(/[-.]/).map(Number);
  return ta - tb || pa - pb || sa - sb;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- process-wide registry and SIGTERM spooling ----

const liveReporters = new Set<Reporter>();
const shared = new Map<string, Reporter>();
let sigtermInstalled = false;

function onSigterm(): void {
  for (const r of liveReporters) {
    try {
      r.spoolQueueNow();
    } catch {
      /* best effort */
    }
  }
  process.removeListener('SIGTERM', onSigterm);
  sigtermInstalled = false;
  // Keep the default behaviour (die by the signal) unless someone else handles SIGTERM.
  if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
}

function installSigtermHandler(): void {
  if (sigtermInstalled) return;
  sigtermInstalled = true;
  process.on('SIGTERM', onSigterm);
}

/** The process-wide reporter for (endpoint, token); options of the first caller win. */
export function sharedReporter(options: ReporterOptions): Reporter {
  const id = JSON.stringify([options.endpoint.replace(/\/+$/, ''), options.token ?? null]);
  let r = shared.get(id);
  if (!r) {
    r = new Reporter(options);
    shared.set(id, r);
  }
  return r;
}

/** Flushes and stops every shared reporter (tests, clean shutdown). */
export async function stopAllReporters(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((r) => r.stop()));
  if (liveReporters.size === 0 && sigtermInstalled) {
    process.removeListener('SIGTERM', onSigterm);
    sigtermInstalled = false;
  }
}

/** Read by the pluginserver's diagnostic RPC (gateway/pluginserver/diagnostics.ts); no side effects. */
export function shieldDiagnostics(): Array<{ url: string; queued: number; counters: Reporter['counters']; dropped: Record<string, number>; spool: { files: number; bytes: number } }> {
  return [...shared.values()].map((r) => ({ url: r.url, queued: r.queued, counters: { ...r.counters }, dropped: r.droppedCounts(), spool: r.spoolStats() }));
}
