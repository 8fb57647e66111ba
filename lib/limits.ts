import type { Limits } from './types';

/**
 * Default inspection limits. They bound the work one request can cause (CPU and memory), not what gets
 * through: whatever lies beyond a limit is reported as a LimitEvent, and the route's policy decides
 * whether that is logged or blocked (attackers pad payloads past inspection limits on purpose).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxPointBytes: 4096,
  maxBodyBytes: 1024 * 1024,
  maxPoints: 1024,
  maxDepth: 32,
  maxDecodeDepth: 3,
  timeBudgetMs: 25,
});

/** Hard ceilings no configuration can exceed: one request must never be able to stall a worker. */
const CEILINGS: Readonly<Limits> = Object.freeze({
  maxPointBytes: 1024 * 1024,
  maxBodyBytes: 64 * 1024 * 1024,
  maxPoints: 100_000,
  maxDepth: 512,
  maxDecodeDepth: 8,
  timeBudgetMs: 10_000,
});

const FLOORS: Readonly<Limits> = Object.freeze({
  maxPointBytes: 64,
  maxBodyBytes: 0,
  maxPoints: 1,
  maxDepth: 1,
  maxDecodeDepth: 0,
  timeBudgetMs: 1,
});

/** Merged limits per partial object: a route passes the same object on every request. */
const merged = new WeakMap<Partial<Limits>, Readonly<Limits>>();

/**
 * Defaults overridden by `partial`; values that are not finite numbers are ignored (bad config falls back
 * to the default instead of disabling a limit) and every value is clamped to [floor, ceiling]. The result
 * is frozen and remembered per `partial` object (inspect() merges on every request): a caller that
 * changes a partial in place must pass a new object.
 */
export function mergeLimits(partial?: Partial<Limits> | null): Readonly<Limits> {
  if (!partial) return DEFAULT_LIMITS;
  const hit = merged.get(partial);
  if (hit !== undefined) return hit;
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = partial[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    out[key] = Math.min(CEILINGS[key], Math.max(FLOORS[key], Math.floor(v)));
  }
  const frozen = Object.freeze(out);
  merged.set(partial, frozen);
  return frozen;
}
