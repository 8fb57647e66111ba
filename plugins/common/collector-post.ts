/**
 * The one way plugins talk to the collector: a gzip JSON POST with the node token, answered as
 * - `ok`: 2xx, the collector committed it;
 * - `rejected`: 400/413/422, the collector will never accept this body (the caller drops and counts it);
 * - `retry`: anything else (network error, timeout, 5xx, 401/403/408/429): send again later, same ids.
 * Used by the event reporter and the API-inventory sender.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

export type PostOutcome = 'ok' | 'retry' | 'rejected';

export interface CollectorPost {
  url: string;
  token: string | null;
  body: unknown;
  timeoutMs: number;
  fetchImpl: typeof fetch;
}

/** Never throws; `error` describes a non-ok outcome for the caller's `lastError`. */
export async function postToCollector(p: CollectorPost): Promise<{ outcome: PostOutcome; error?: string }> {
  try {
    const gz = await gzipAsync(Buffer.from(JSON.stringify(p.body)));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    if (p.token) headers.authorization = `Bearer ${p.token}`;
    const res = await p.fetchImpl(p.url, { method: 'POST', headers, body: gz, signal: AbortSignal.timeout(p.timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { outcome: 'ok' };
    const outcome: PostOutcome = res.status === 400 || res.status === 413 || res.status === 422 ? 'rejected' : 'retry';
    return { outcome, error: `collector answered ${res.status}` };
  } catch (err) {
    return { outcome: 'retry', error: `send: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** Exponential backoff with jitter after `failures` consecutive failures: base·2^(n-1) × [0.5, 1.5), capped. */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 20));
  return Math.min(maxMs, exp * (0.5 + random()));
}
