/**
 * A Map with a hard entry cap and per-entry expiry. Least-recently-SET entries are evicted first
 * (Map keeps insertion order; `set` re-inserts). Reads do not refresh order: that keeps `get` O(1)
 * without a delete/insert, and for counters the most active keys are re-set anyway.
 * Memory is therefore bounded by `maxEntries` whatever an attacker sends.
 */
export class BoundedTtlMap<K, V> {
  private readonly map = new Map<K, { value: V; expiresAt: number }>();
  private sweepCursor = 0;

  constructor(
    readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(maxEntries > 0)) throw new Error('maxEntries must be > 0');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock()) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Remaining lifetime in ms (0 when absent or expired). */
  ttl(key: K): number {
    const e = this.map.get(key);
    if (!e) return 0;
    const left = e.expiresAt - this.clock();
    if (left <= 0) {
      this.map.delete(key);
      return 0;
    }
    return left;
  }

  set(key: K, value: V, ttlMs: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt: this.clock() + ttlMs });
    if (this.map.size > this.maxEntries) this.evict();
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  private evict(): void {
    // Drop a few expired entries opportunistically (amortised), then the oldest if still over cap.
    const now = this.clock();
    let checked = 0;
    for (const [k, e] of this.map) {
      if (checked++ >= 8 + this.sweepCursor) break;
      if (e.expiresAt <= now) this.map.delete(k);
    }
    this.sweepCursor = (this.sweepCursor + 1) & 7;
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }
}
