import { HttpError } from './http-error';
import type { EventCursor, EventFilter, TimeRange } from './store/types';

export type Query = Record<string, string | undefined>;

const DAY = 86_400_000;
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY };
const MAX_SPAN = 400 * DAY;

function parseTime(name: string, value: string): number {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid_query', `${name} must be epoch milliseconds or an ISO date`);
  return ms;
}

/** `range=24h` (m/h/d units, ending now) or `from`/`to`; the default is the last 24 hours. */
export function parseTimeRange(query: Query, now: number): TimeRange {
  const to = query.to ? parseTime('to', query.to) : now;
  let from: number;
  if (query.from) from = parseTime('from', query.from);
  else if (query.range) {
    const match = /^(\d{1,4})([mhd])$/.exec(query.range);
    if (!match) throw new HttpError(400, 'invalid_query', 'range must look like 15m, 6h or 30d');
    from = to - Number(match[1]) * UNITS[match[2]];
  } else from = to - DAY;
  if (from >= to) throw new HttpError(400, 'invalid_query', 'from must be before to');
  if (to - from > MAX_SPAN) throw new HttpError(400, 'invalid_query', 'time range is longer than 400 days');
  return { from, to };
}

const BUCKETS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, DAY, 7 * DAY];

/** The smallest bucket giving at most `maxBuckets` points, or the explicit `bucket` (seconds). */
export function chooseBucket(range: TimeRange, query: Query, maxBuckets = 120): number {
  if (query.bucket) {
    const seconds = Number(query.bucket);
    if (!Number.isInteger(seconds) || seconds < 60) throw new HttpError(400, 'invalid_query', 'bucket must be whole seconds >= 60');
    if ((range.to - range.from) / (seconds * 1000) > 2000) throw new HttpError(400, 'invalid_query', 'bucket gives more than 2000 points');
    return seconds * 1000;
  }
  const span = range.to - range.from;
  return BUCKETS.find((bucket) => span / bucket <= maxBuckets) ?? BUCKETS[BUCKETS.length - 1];
}

export function parseLimit(query: Query, fallback: number, max: number): number {
  if (query.limit === undefined) return fallback;
  const limit = Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new HttpError(400, 'invalid_query', `limit must be 1..${max}`);
  return limit;
}

const ACTIONS = new Set(['blocked', 'monitored', 'passed']);

export function parseEventFilter(query: Query, now: number): EventFilter {
  const filter: EventFilter = parseTimeRange(query, now);
  const text = (name: string, max: number): string | undefined => {
    const value = query[name]?.trim();
    if (!value) return undefined;
    if (value.length > max) throw new HttpError(400, 'invalid_query', `${name} is longer than ${max} characters`);
    return value;
  };
  filter.type = text('type', 32);
  filter.kind = text('kind', 32);
  filter.action = text('action', 16);
  if (filter.action && !ACTIONS.has(filter.action)) throw new HttpError(400, 'invalid_query', 'action must be blocked, monitored or passed');
  filter.clientIp = text('ip', 64);
  filter.route = text('route', 2048);
  filter.nodeId = text('node', 128);
  filter.text = text('q', 200);
  return filter;
}

export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(value: string | undefined): EventCursor | null {
  if (!value) return null;
  const match = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'invalid_query', 'cursor is not one this server returned');
  return { time: Number(match[1]), id: match[2] };
}
