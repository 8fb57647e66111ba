/**
 * Deny/grey/allow IP lists pulled from the collector (`GET <collector>/api/v1/iplists`, shape
 * `{entries:[{cidr, list:'deny'|'grey'|'allow', reason, expires_at}]}`, see collector/routes/iplists.ts).
 * Polled in the background every `intervalMs` (default 60 s) with `If-None-Match`; a 304 keeps the
 * current lists. Failures (network, non-2xx, bad JSON) keep the last good lists and are remembered in
 * `lastError` — lookups never wait for the network and never throw. Entries whose `expires_at`
 * passed stop matching at once (checked per lookup), before the next poll removes them.
 * One poller per (endpoint, token) per process: `sharedIpLists()`.
 */
import { CidrSet, formatIp, parseCidr } from './net';

export type ListName = 'deny' | 'grey' | 'allow';

export interface ListEntry {
  cidr: string;
  list: ListName;
  reason: string | null;
  /** Epoch ms, or null = permanent. */
  expiresAt: number | null;
}

export interface IpListOptions {
  endpoint: string;
  token?: string | null;
  intervalMs?: number;
  requestTimeoutMs?: number;
  fetchImpl?: typeof fetch;
  clock?: () => number;
}

export interface ListMatch {
  list: ListName;
  cidr: string;
  reason: string | null;
}

export class IpListSync {
  readonly url: string;
  private etag: string | undefined;
  private sets: Record<ListName, CidrSet<ListEntry[]>> = emptySets();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: () => number;
  lastError: string | undefined;
  lastSync = 0;
  entries: ListEntry[] = [];

  constructor(private readonly opts: IpListOptions) {
    const base = opts.endpoint.replace(/\/+$/, '');
    this.url = base.endsWith('/api/v1/iplists') ? base : `${base}/api/v1/iplists`;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.clock = opts.clock ?? Date.now;
  }

  /** Starts background polling (first poll now). Idempotent. */
  start(): this {
    if (!this.timer) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs ?? 60_000);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; resolves when done, never rejects. */
  refresh(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.poll()
        .catch((err: unknown) => {
          this.lastError = (err as Error)?.message ?? String(err);
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  private async poll(): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (this.etag) headers['if-none-match'] = this.etag;
    const res = await this.fetchImpl(this.url, { headers, signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 5000) });
    if (res.status === 304) {
      await res.arrayBuffer().catch(() => undefined);
      this.lastSync = this.clock();
      this.lastError = undefined;
      return;
    }
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) throw new Error(`collector answered ${res.status}`);
    const body = JSON.parse(text) as { entries?: unknown };
    if (!Array.isArray(body.entries)) throw new Error('iplists: entries missing');
    const entries: ListEntry[] = [];
    const invalid: string[] = [];
    for (const raw of body.entries as Record<string, unknown>[]) {
      const list = raw?.list;
      if (typeof raw?.cidr !== 'string' || (list !== 'deny' && list !== 'grey' && list !== 'allow')) continue;
      const expiresAt = typeof raw.expires_at === 'string' ? Date.parse(raw.expires_at) : null;
      entries.push({ cidr: raw.cidr, list, reason: typeof raw.reason === 'string' ? raw.reason : null, expiresAt: Number.isFinite(expiresAt) ? expiresAt : null });
    }
    // Several entries may name one network (e.g. different expiries): group them, keep them all.
    const groups = new Map<string, ListEntry[]>();
    for (const e of entries) {
      const net = parseCidr(e.cidr);
      if (!net) {
        invalid.push(e.cidr);
        continue;
      }
      const key = `${e.list}|${formatIp(net)}/${net.prefix}`;
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
    const sets = emptySets();
    for (const group of groups.values()) sets[group[0].list].add(group[0].cidr, group);
    this.sets = sets;
    this.entries = entries;
    this.etag = res.headers.get('etag') ?? undefined;
    this.lastSync = this.clock();
    this.lastError = invalid.length ? `invalid CIDRs ignored: ${invalid.slice(0, 5).join(', ')}` : undefined;
  }

  /** The first list (allow, then deny, then grey) holding an unexpired entry for `ip`. */
  match(ip: string): ListMatch | undefined {
    const now = this.clock();
    for (const list of ['allow', 'deny', 'grey'] as const) {
      const hits = this.sets[list].lookup(ip);
      const live = hits?.find((e) => e.expiresAt === null || e.expiresAt > now);
      if (live) return { list, cidr: live.cidr, reason: live.reason };
    }
    return undefined;
  }
}

function emptySets(): Record<ListName, CidrSet<ListEntry[]>> {
  return { deny: new CidrSet(), grey: new CidrSet(), allow: new CidrSet() };
}

const shared = new Map<string, IpListSync>();

/** The process-wide, started poller for (endpoint, token). */
export function sharedIpLists(opts: IpListOptions): IpListSync {
  const id = JSON.stringify([opts.endpoint.replace(/\/+$/, ''), opts.token ?? null]);
  let s = shared.get(id);
  if (!s) {
    s = new IpListSync(opts).start();
    shared.set(id, s);
  }
  return s;
}

export function stopAllIpLists(): void {
  for (const s of shared.values()) s.stop();
  shared.clear();
}
