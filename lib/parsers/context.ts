import { performance } from 'node:perf_hooks';
import { charMask, lastPlainChars } from '../features';
import type { LimitEvent, LimitKind, Limits, Point, PointSource } from '../types';

/** Limit events kept per request: enough to explain what happened, bounded against floods. */
const MAX_EVENTS = 32;
/** The clock is read once per this many added points (reading it costs more than adding a point). */
const CLOCK_EVERY = 16;

export interface PointOptions {
  isKey?: boolean;
  /** Parameter/field name; lower-cased here. */
  name?: string;
  encodings?: readonly string[];
  /** charMask(value), when the caller already has it (used unless the value is truncated). */
  chars?: number;
  /** The same pass's lastPlainChars(), given with `chars`. */
  plainChars?: number;
}

/** Peels nested encodings (base64, JWT, JSON-in-a-string...) off a value point; set by the request parser. */
export type Peeler = (ctx: ParseContext, point: Point) => void;

const NO_ENCODINGS: readonly string[] = Object.freeze([]);

/**
 * Collects the points of one request and enforces the limits while doing so: per-point size, point count
 * and the time budget. Whatever is cut is recorded as a LimitEvent, never dropped silently.
 */
export class ParseContext {
  readonly points: Point[] = [];
  readonly events: LimitEvent[] = [];
  readonly errors: string[] = [];
  /** Characters of all point values added (after capping). */
  bytes = 0;
  /** Set once maxPoints or the time budget is reached; parsers stop early when they see it. */
  stopped = false;
  peeler: Peeler | null = null;
  private readonly deadline: number;
  private readonly eventKeys = new Set<string>();
  private addsSinceClock = 0;

  constructor(
    readonly limits: Limits,
    readonly startedAt: number = performance.now(),
  ) {
    this.deadline = startedAt + limits.timeBudgetMs;
  }

  /**
   * Adds a point made for an earlier request with the same limits (the header-points cache): the same
   * count and clock checks as add(), no capping or peeling (the point was capped and its peeled points
   * were made then). False when the request is full.
   */
  addMade(point: Point): boolean {
    if (!this.admit()) return false;
    this.points.push(point);
    this.bytes += point.value.length;
    return true;
  }

  /** Adds one point (value capped at maxPointBytes); returns it, or null when the request is full. */
  add(path: string, value: string, source: PointSource, opts: PointOptions = {}): Point | null {
    if (!this.admit()) return null;
    let v = value;
    let truncated = false;
    if (v.length > this.limits.maxPointBytes) {
      v = v.slice(0, this.limits.maxPointBytes);
      truncated = true;
      this.event('point_truncated', `${value.length} chars, inspected the first ${this.limits.maxPointBytes}`, path);
    }
    let chars: number;
    let plainChars: number;
    if (!truncated && opts.chars !== undefined && opts.plainChars !== undefined) {
      chars = opts.chars;
      plainChars = opts.plainChars;
    } else {
      chars = charMask(v);
      plainChars = lastPlainChars();
    }
    // every point has every property (name too, undefined when absent): one object shape, so the
    // detectors' reads of point fields stay monomorphic
    const point: Point = {
      path,
      value: v,
      source,
      isKey: opts.isKey === true,
      encodings: opts.encodings ?? NO_ENCODINGS,
      truncated,
      name: opts.name !== undefined ? opts.name.toLowerCase() : undefined,
      chars,
      plainChars,
    };
    this.points.push(point);
    this.bytes += v.length;
    if (!point.isKey && this.peeler !== null) this.peeler(this, point);
    return point;
  }

  /** Room for one more point: not stopped, under maxPoints (else points_capped), and time left (read every CLOCK_EVERY points). */
  private admit(): boolean {
    if (this.stopped) return false;
    if (this.points.length >= this.limits.maxPoints) {
      this.stopped = true;
      this.event('points_capped', `more than ${this.limits.maxPoints} points; the rest was not inspected`);
      return false;
    }
    if (++this.addsSinceClock >= CLOCK_EVERY) {
      this.addsSinceClock = 0;
      if (this.outOfTime()) return false;
    }
    return true;
  }

  /** True (and recorded once) when the time budget is spent. */
  outOfTime(): boolean {
    if (this.stopped) return true;
    if (performance.now() > this.deadline) {
      this.stopped = true;
      this.event('budget_exhausted', `time budget of ${this.limits.timeBudgetMs} ms spent while parsing`);
      return true;
    }
    return false;
  }

  /** Records a limit event once per (kind, point). */
  event(kind: LimitKind, detail: string, point?: string): void {
    const key = point === undefined ? kind : `${kind}\u0000${point}`;
    if (this.eventKeys.has(key) || this.events.length >= MAX_EVENTS) return;
    this.eventKeys.add(key);
    const e: LimitEvent = { kind, detail };
    if (point !== undefined) e.point = point;
    this.events.push(e);
  }

  /** A parser gave up on malformed input: recorded as a parse_error event and in the summary's errors. */
  parseError(point: string, detail: string): void {
    if (this.errors.length < MAX_EVENTS) this.errors.push(`${point}: ${detail}`);
    this.event('parse_error', detail, point);
  }
}

export function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}
