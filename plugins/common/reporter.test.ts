import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Reporter, normalizeEvent, type EventInput } from './reporter';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../contracts/event.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validateBatch = ajv.compile(schema);

interface Received {
  headers: http.IncomingHttpHeaders;
  batch: { node_id: string; events: { id: string; path: string }[]; dropped?: Record<string, number> };
}

class FakeCollector {
  received: Received[] = [];
  status = 200;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.status === 200) {
        const batch = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
        this.received.push({ headers: req.headers, batch });
      }
      res.statusCode = this.status;
      res.end('{}');
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
  get events(): { id: string; path: string }[] {
    return this.received.flatMap((r) => r.batch.events);
  }
}

function event(i: number): EventInput {
  return {
    kind: 'brute_force',
    plugin: 'key-auth-ext',
    request_id: `req-${i}`,
    client_ip: '192.0.2.1',
    method: 'GET',
    path: `/p/${i}`,
    attack_types: ['brute_force'],
    action: 'blocked',
    status: 401,
    findings: [{ type: 'invalid_api_key', point: 'header.apikey', excerpt: 'kas_*** (40 chars)' }],
  };
}

let collector: FakeCollector;
let spoolDir: string;
const reporters: Reporter[] = [];
function reporter(opts: Partial<ConstructorParameters<typeof Reporter>[0]> = {}): Reporter {
  const r = new Reporter({ endpoint: collector.url, token: 'node-token', nodeId: 'node-a', flushIntervalMs: 60_000, random: () => 0.5, ...opts });
  reporters.push(r);
  return r;
}

beforeEach(async () => {
  collector = new FakeCollector();
  await collector.start();
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kas-spool-'));
});

afterEach(async () => {
  for (const r of reporters.splice(0)) await r.stop();
  await collector.stop();
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

describe('Reporter', () => {
  it('sends gzip batches with the bearer token that validate against the contract', async () => {
    const r = reporter({ batchSize: 3 });
    for (let i = 0; i < 7; i++) r.enqueue(event(i));
    await r.flush();
    expect(collector.received.map((x) => x.batch.events.length)).toEqual([3, 3, 1]);
    const first = collector.received[0];
    expect(first.headers.authorization).toBe('Bearer node-token');
    expect(first.headers['content-encoding']).toBe('gzip');
    for (const x of collector.received) expect(validateBatch(x.batch) ? [] : validateBatch.errors).toEqual([]);
    expect(new Set(collector.events.map((e) => e.id)).size).toBe(7);
  });

  it('flushes on its own when a batch is full', async () => {
    const r = reporter({ batchSize: 2 });
    r.enqueue(event(1));
    r.enqueue(event(2));
    for (let i = 0; i < 50 && collector.events.length < 2; i++) await new Promise((res) => setTimeout(res, 10));
    expect(collector.events).toHaveLength(2);
  });

  it('collector down: batches go to the disk spool; a restarted reporter resends them with the same ids', async () => {
    collector.status = 503;
    const r1 = reporter({ spoolDir, batchSize: 2 });
    for (let i = 0; i < 5; i++) r1.enqueue(event(i));
    await r1.flush();
    expect(collector.received).toHaveLength(0);
    const ids = fs.readdirSync(spoolDir);
    expect(ids.filter((n) => n.endsWith('.batch'))).toHaveLength(3);
    expect(r1.spoolStats().files).toBe(3);
    const spooledIds = ids
      .flatMap((n) => JSON.parse(gunzipSync(fs.readFileSync(path.join(spoolDir, n))).toString('utf8')) as { id: string }[])
      .map((e) => e.id)
      .sort();
    await r1.stop();
    reporters.splice(reporters.indexOf(r1), 1);

    // "Restart": a new reporter on the same directory, collector back.
    collector.status = 200;
    const r2 = reporter({ spoolDir });
    await r2.flush();
    expect(collector.events.map((e) => e.path).sort()).toEqual(['/p/0', '/p/1', '/p/2', '/p/3', '/p/4']);
    expect(collector.events.map((e) => e.id).sort()).toEqual(spooledIds);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('backs off after a failure: new batches are spooled, not sent, until the retry time', async () => {
    collector.status = 503;
    let hits = 0;
    collector.server.on('request', () => hits++);
    const r = reporter({ spoolDir, backoffBaseMs: 60_000 });
    r.enqueue(event(1));
    await r.flush();
    expect(hits).toBe(1);
    r.enqueue(event(2));
    await r.flush();
    expect(hits).toBe(1); // in backoff: no request, spooled instead
    expect(r.spoolStats().files).toBe(2);
  });

  it('spool full → events dropped and counted; counters ride along in the next batch', async () => {
    collector.status = 503;
    const r = reporter({ spoolDir, maxSpoolBytes: 1, maxQueue: 2 });
    r.enqueue(event(1));
    r.enqueue(event(2));
    r.enqueue(event(3)); // queue full
    await r.flush(); // fails, spool full
    expect(r.droppedCounts()).toEqual({ queue_full: 1, spool_full: 2 });
    collector.status = 200;
    (r as unknown as { retryAt: number }).retryAt = 0;
    r.enqueue(event(4));
    await r.flush();
    expect(collector.received[0].batch.dropped).toEqual({ queue_full: 1, spool_full: 2 });
    expect(validateBatch(collector.received[0].batch)).toBe(true);
  });

  it('a 400 answer drops the batch (no endless retry) and counts it', async () => {
    collector.status = 400;
    const r = reporter({ spoolDir });
    r.enqueue(event(1));
    await r.flush();
    expect(r.droppedCounts()).toEqual({ rejected: 1 });
    expect(r.spoolStats().files).toBe(0);
  });

  it('without a spool, undelivered events wait in memory and are sent later', async () => {
    collector.status = 503;
    const r = reporter();
    r.enqueue(event(1));
    await r.flush();
    expect(r.queued).toBe(1);
    collector.status = 200;
    (r as unknown as { retryAt: number }).retryAt = 0;
    await r.flush();
    expect(collector.events).toHaveLength(1);
  });

  it('the SIGTERM path writes the queue to the spool synchronously', async () => {
    const r = reporter({ spoolDir });
    r.enqueue(event(1));
    r.enqueue(event(2));
    r.spoolQueueNow();
    expect(r.queued).toBe(0);
    expect(r.spoolStats().files).toBe(1);
  });

  it('releases claims of dead processes and removes their temp files on start', async () => {
    fs.writeFileSync(path.join(spoolDir, '1-999999-0.batch.999999.sending'), Buffer.from('x'));
    fs.writeFileSync(path.join(spoolDir, '1-999999-1.batch.tmp'), Buffer.from('x'));
    const r = reporter({ spoolDir });
    expect(fs.readdirSync(spoolDir).sort()).toEqual(['1-999999-0.batch']);
    await r.flush(); // corrupt content: removed and counted, never retried forever
    expect(r.droppedCounts()).toEqual({ spool_corrupt: 1 });
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('enqueue never throws and normalizes over-long fields to the contract', () => {
    const r = reporter();
    expect(() => r.enqueue(null as unknown as EventInput)).not.toThrow();
    const e = normalizeEvent({ ...event(1), path: 'x'.repeat(5000), findings: [{ type: 't', point: 'p', excerpt: 'y'.repeat(1000), confidence: 3 }] });
    expect(e.path).toHaveLength(2048);
    expect(e.findings[0].excerpt).toHaveLength(512);
    expect(e.findings[0].confidence).toBe(1);
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unreachable collector never throws out of flush', async () => {
    const r = reporter({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 500 });
    r.enqueue(event(1));
    await expect(r.flush()).resolves.toBeUndefined();
    expect(r.lastError).toMatch(/send/);
  });
});
