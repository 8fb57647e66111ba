/**
 * Ships the inventory to the collector (`POST /api/v1/inventory`, gzip JSON, `Authorization: Bearer
 * <node token>`) every `intervalMs`, off the request path (a timer; `observe()` never waits for it).
 * Like the event reporter: a batch that fails (network, timeout, 5xx, 401/403/408/429) is kept with its
 * batch id and resent after exponential backoff with jitter, so the collector's idempotency makes a retry
 * harmless; 400/413/422 answers are final (dropped, counted). Pending batches are bounded (oldest dropped).
 * No disk spool: the inventory is a statistic, a lost delta costs counts, never endpoints (the next
 * request to the endpoint brings it back).
 */
import { backoffMs, postToCollector } from '../../common/collector-post';
import type { Inventory } from './inventory';
import type { InventoryBatch } from './wire';


export interface SenderOptions {
  /** Collector base URL (`http://host:port`) or the full `…/api/v1/inventory` URL. */
  endpoint: string;
  token?: string | null;
  nodeId: string;
  intervalMs?: number;
  /** Endpoints per request (the contract allows 500). */
  chunkSize?: number;
  maxPending?: number;
  requestTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  fetchImpl?: typeof fetch;
  random?: () => number;
}

type Outcome = 'ok' | 'retry' | 'rejected';

export function inventoryUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  if (base.endsWith('/api/v1/inventory')) return base;
  return `${base.replace(/\/api\/v1\/events$/, '')}/api/v1/inventory`;
}

/** Splits a batch into contract-sized ones; every piece gets its own id (derived, so a re-split is stable). */
export function chunkBatch(batch: InventoryBatch, size: number): InventoryBatch[] {
  if (batch.endpoints.length <= size) return [batch];
  const out: InventoryBatch[] = [];
  for (let i = 0; i < batch.endpoints.length; i += size) {
    const n = (i / size).toString(16).padStart(4, '0');
    out.push({ ...batch, batch_id: `${batch.batch_id.slice(0, 32)}${n}`, endpoints: batch.endpoints.slice(i, i + size) });
  }
  return out;
}

export class InventorySender {
  readonly url: string;
  readonly counters = { batchesSent: 0, endpointsSent: 0, sendErrors: 0, dropped: 0, rejected: 0 };
  lastError: string | undefined;
  private pending: InventoryBatch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private readonly o: Required<Omit<SenderOptions, 'token' | 'fetchImpl'>> & { token: string | null; fetchImpl: typeof fetch };

  constructor(private readonly inventory: Inventory, options: SenderOptions) {
    this.url = inventoryUrl(options.endpoint);
    this.o = {
      endpoint: options.endpoint,
      token: options.token ?? null,
      nodeId: options.nodeId.slice(0, 128) || 'node',
      intervalMs: options.intervalMs ?? 30_000,
      chunkSize: Math.min(500, Math.max(1, options.chunkSize ?? 200)),
      maxPending: options.maxPending ?? 20,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      backoffBaseMs: options.backoffBaseMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      fetchImpl: options.fetchImpl ?? fetch,
      random: options.random ?? Math.random,
    };
  }

  get pendingBatches(): number {
    return this.pending.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Drains the inventory and sends what is pending. Never rejects. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush()
      .catch((err: unknown) => {
        this.lastError = `flush: ${(err as Error)?.message ?? String(err)}`;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** Stops the timer and makes one last attempt. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.retryAt = 0;
    await this.flush();
  }

  private async doFlush(): Promise<void> {
    const batch = this.inventory.drain(this.o.nodeId);
    if (batch) this.pending.push(...chunkBatch(batch, this.o.chunkSize));
    if (this.pending.length > this.o.maxPending) {
      const extra = this.pending.length - this.o.maxPending;
      this.pending.splice(0, extra);
      this.counters.dropped += extra;
    }
    if (Date.now() < this.retryAt) return;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      const outcome = await this.send(next);
      if (outcome === 'retry') return;
      this.pending.shift();
    }
  }

  private async send(batch: InventoryBatch): Promise<Outcome> {
    const { outcome, error } = await postToCollector({ url: this.url, token: this.o.token, body: { ...batch, sent_at: new Date().toISOString() }, timeoutMs: this.o.requestTimeoutMs, fetchImpl: this.o.fetchImpl });
    if (error) this.lastError = error;
    if (outcome === 'ok') {
      this.failures = 0;
      this.retryAt = 0;
      this.counters.batchesSent++;
      this.counters.endpointsSent += batch.endpoints.length;
    } else if (outcome === 'rejected') {
      this.counters.rejected++;
    } else {
      this.counters.sendErrors++;
      this.failures++;
      this.retryAt = Date.now() + backoffMs(this.failures, this.o.backoffBaseMs, this.o.backoffMaxMs, this.o.random);
    }
    return outcome;
  }
}
