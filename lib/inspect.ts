import { performance } from 'node:perf_hooks';
import { createDetectorInput } from './detector-input';
import { DETECTORS } from './detectors';
import { mergeLimits } from './limits';
import { ValueCache } from './value-cache';
import { parseRequest } from './parsers/request';
import { loadProtoFiles, parseProtoSource, type GrpcSchema } from './parsers/proto-schema';
import {
  ATTACK_TYPES,
  type AttackType,
  type Detection,
  type Detector,
  type DetectorInput,
  type Finding,
  type HttpRequest,
  type InspectOptions,
  type LimitEvent,
  type Limits,
  type Point,
  type PointSource,
  type Verdict,
} from './types';

/** Findings kept per attack type (strongest first): enough to explain a verdict without flooding events. */
export const FINDINGS_PER_TYPE = 3;
export const DEFAULT_THRESHOLD = 0.5;
/** The clock is read once per this many points during detection. */
const CLOCK_EVERY = 8;

/** Extra, usually per-route, configuration that is expensive to build and therefore built once. */
export interface InspectContext {
  /** Request types of gRPC methods, from loaded .proto files (see loadGrpcSchema). */
  grpcSchema?: GrpcSchema | null;
  /** Detectors to run instead of the built-in registry (tests, experiments). */
  detectors?: readonly Detector[];
}

interface ActiveDetector {
  detector: Detector;
  /**
   * `detector.detect`, read once: the registry's detector objects have different shapes, so reading
   * `.detect` off them per point is a megamorphic lookup; every ActiveDetector has one shape. Called with
   * `.call(detector, …)`: a bound function would go through a trampoline V8 does not inline.
   */
  detect: (this: Detector, input: DetectorInput) => Detection | null;
  threshold: number;
  /** null: all sources. */
  sources: ReadonlySet<PointSource> | null;
  /** The detector's `triggers`, or 0 when it has none (always called). */
  triggers: number;
  /** Position in the route's active list (what the header cache records). */
  at: number;
}

/** The map remembered for `list` in `cache`, made empty on first use. */
function mapFor<K, V>(cache: WeakMap<ActiveDetector[], Map<K, V>>, list: ActiveDetector[]): Map<K, V> {
  let map = cache.get(list);
  if (map === undefined) cache.set(list, (map = new Map()));
  return map;
}

/** The active detectors that inspect each point source, in registry order (built once per active list). */
const bySourceCache = new WeakMap<ActiveDetector[], Map<PointSource, ActiveDetector[]>>();

function detectorsFor(bySource: Map<PointSource, ActiveDetector[]>, active: ActiveDetector[], source: PointSource): ActiveDetector[] {
  let list = bySource.get(source);
  if (list === undefined) bySource.set(source, (list = active.filter((a) => a.sources === null || a.sources.has(source))));
  return list;
}

/**
 * The detectors of a source's list that a point with character classes `chars` can trigger (those without
 * `triggers` always), remembered per mask: a request's points share a handful of masks (most benign values
 * have none of the trigger characters), so the per-point loop runs over the detectors that will look
 * instead of testing every detector's triggers again. Bounded: past MASKS_PER_LIST masks (symbol soup) the
 * list is filtered per point.
 */
const MASKS_PER_LIST = 1024;
const byMaskCache = new WeakMap<ActiveDetector[], Map<number, ActiveDetector[]>>();

function triggeredBy(byMask: Map<number, ActiveDetector[]>, list: ActiveDetector[], chars: number): ActiveDetector[] {
  let run = byMask.get(chars);
  if (run !== undefined) return run;
  run = list.filter((a) => a.triggers === 0 || (chars & a.triggers) !== 0);
  if (byMask.size < MASKS_PER_LIST) byMask.set(chars, run);
  return run;
}

const TYPE_ORDER = new Map<AttackType, number>(ATTACK_TYPES.map((t, i) => [t, i]));

/**
 * Resolved detector lists are cached per (detector settings, registry) pair: the settings object is what
 * decides the list, and a route passes the same one on every request even when it builds a new options
 * object per request (the api-waf handler does).
 */
const activeCache = new WeakMap<object, WeakMap<readonly Detector[], ActiveDetector[]>>();
const NO_OPTIONS: InspectOptions = {};
const NO_SETTINGS: NonNullable<InspectOptions['detectors']> = {};

function activeDetectors(options: InspectOptions, detectors: readonly Detector[]): ActiveDetector[] {
  const settings = options.detectors ?? NO_SETTINGS;
  let perSettings = activeCache.get(settings);
  if (!perSettings) {
    perSettings = new WeakMap();
    activeCache.set(settings, perSettings);
  }
  const hit = perSettings.get(detectors);
  if (hit) return hit;
  const out: ActiveDetector[] = [];
  for (const detector of detectors) {
    const s = settings[detector.type];
    if (s?.enabled === false) continue;
    const t = s?.threshold;
    const threshold = typeof t === 'number' && Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : DEFAULT_THRESHOLD;
    out.push({ detector, detect: detector.detect, threshold, sources: detector.sources ? new Set(detector.sources) : null, triggers: detector.triggers ?? 0, at: out.length });
  }
  perSettings.set(detectors, out);
  return out;
}

/**
 * Detections of header and cookie values, per resolved detector list. A client sends the same
 * User-Agent, Accept-*, Sec-CH-* and session cookies on every request, and those are among the costliest
 * values to inspect (a User-Agent has the parentheses, `;`, `/` and `.` that half the detectors look at),
 * so their detections (before thresholds, which stay per route) are remembered. Detectors are pure
 * functions of the point, so a hit gives exactly what running them would. Bounded: at most
 * HEADER_CACHE_ENTRIES values of at most HEADER_CACHE_VALUE_CHARS each (a ValueCache: 8 places per value,
 * the oldest value leaving first).
 * Body, query and path values are not cached: they change from request to request.
 */
export const HEADER_CACHE_ENTRIES = 2048;
export const HEADER_CACHE_VALUE_CHARS = 1024;
type CachedDetections = ReadonlyArray<{ at: number; detection: Detection }>;
const NO_DETECTIONS: CachedDetections = Object.freeze([]);
/** By value, then by where the value sat (whereOf). */
type HeaderCache = ValueCache<CachedDetections>;
/**
 * One cache per detector registry and set of enabled detectors (their order in the active list is what
 * `at` points to): routes with the same detectors share it even when their options objects differ.
 */
const headerCaches = new WeakMap<readonly Detector[], Map<string, HeaderCache>>();
const cacheOfActive = new WeakMap<ActiveDetector[], HeaderCache>();

function headerCacheFor(active: ActiveDetector[], detectors: readonly Detector[]): HeaderCache {
  let cache = cacheOfActive.get(active);
  if (cache !== undefined) return cache;
  let bySet = headerCaches.get(detectors);
  if (bySet === undefined) headerCaches.set(detectors, (bySet = new Map()));
  const enabled = active.map((a) => a.detector.type).join(',');
  cache = bySet.get(enabled);
  if (cache === undefined) bySet.set(enabled, (cache = new ValueCache(HEADER_CACHE_ENTRIES)));
  cacheOfActive.set(active, cache);
  return cache;
}

function cacheable(point: Point): boolean {
  return (point.source === 'header' || point.source === 'cookie') && !point.truncated && point.value.length <= HEADER_CACHE_VALUE_CHARS;
}

/** What besides the value a detector reads: the point's path (its name), key-ness and peeled encodings. */
function whereOf(point: Point): string {
  return point.encodings.length === 0 ? (point.isKey ? `${point.path}\u0000k` : point.path) : `${point.path}\u0000${point.isKey ? 'k' : ''}\u0000${point.encodings.join(',')}`;
}

/**
 * Turns header-value caching (their detections here, their parsed points in parseHeaders) off, for
 * benchmarks measuring cold inspection, or back on.
 */
let headerCacheEnabled = true;
export function setHeaderCache(enabled: boolean): void {
  headerCacheEnabled = enabled;
}

function clip(s: string): string {
  return s.length > 200 ? s.slice(0, 200) : s;
}

/**
 * Inspects one request: parse → points (nested encodings peeled) → the enabled detectors on each point
 * (respecting their `sources`) → findings at or over the type's threshold → verdict. Never throws: parser
 * and detector failures become parse_error limit events. Whatever was not inspected (truncated values,
 * capped points/depth, exhausted budget) is listed in `limits` for the caller's policy.
 */
export function inspect(request: HttpRequest, options: InspectOptions = NO_OPTIONS, context: InspectContext = {}): Verdict {
  const startedAt = performance.now();
  const limits: Readonly<Limits> = mergeLimits(options.limits);
  const registry = context.detectors ?? DETECTORS;
  const active = activeDetectors(options, registry);
  const parsed = parseRequest(request, limits, { grpcSchema: context.grpcSchema ?? null, startedAt, rememberHeaders: headerCacheEnabled });
  const events: LimitEvent[] = parsed.limits;
  const deadline = startedAt + limits.timeBudgetMs;
  const best = new Map<AttackType, Finding[]>();
  // looked up once per request, not per point
  const bySource = mapFor(bySourceCache, active);
  let headerCache: HeaderCache | null = null;
  let inspected = 0;
  let listSource: PointSource | null = null;
  let list: ActiveDetector[] = [];
  let byMask: Map<number, ActiveDetector[]> = new Map();
  const points = parsed.points;
  for (let i = 0; i < points.length; i++) {
    if (i % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() > deadline) {
      events.push({ kind: 'budget_exhausted', detail: `time budget of ${limits.timeBudgetMs} ms spent; ${points.length - i} of ${points.length} points not inspected` });
      break;
    }
    const point = points[i];
    inspected += 1;
    let cache: HeaderCache | undefined;
    let where = '';
    if (headerCacheEnabled && cacheable(point)) {
      cache = headerCache ??= headerCacheFor(active, registry);
      where = whereOf(point);
      const hit = cache.get(point.value, where);
      if (hit !== undefined) {
        for (const { at, detection } of hit) if (detection.confidence >= active[at].threshold) keep(best, { ...detection, point: point.path, source: point.source });
        continue;
      }
    }
    const input = createDetectorInput(point);
    let found: Array<{ at: number; detection: Detection }> | null = null;
    let failed = false;
    const chars = input.chars ?? -1; // -1: unknown, any class may be there
    // points come grouped by source (path, query, headers, body): look the list up when the source changes
    if (point.source !== listSource) {
      list = detectorsFor(bySource, active, (listSource = point.source));
      byMask = mapFor(byMaskCache, list);
    }
    const run = triggeredBy(byMask, list, chars);
    for (let k = 0; k < run.length; k++) {
      const a = run[k];
      let d: Detection | null;
      try {
        d = a.detect.call(a.detector, input);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        events.push({ kind: 'parse_error', point: point.path, detail: `detector ${a.detector.type} failed: ${clip(message)}` });
        failed = true;
        continue;
      }
      if (d === null) continue;
      const detection = { ...d, excerpt: clip(d.excerpt) };
      (found ??= []).push({ at: a.at, detection });
      if (detection.confidence >= a.threshold) keep(best, { ...detection, point: point.path, source: point.source });
    }
    // a detector failure is reported on every request that carries the value, so it is not remembered
    if (cache !== undefined && !failed) cache.set(point.value, where, found ?? NO_DETECTIONS);
  }
  const types = [...best.keys()].sort((a, b) => (TYPE_ORDER.get(a) ?? 0) - (TYPE_ORDER.get(b) ?? 0));
  const findings: Finding[] = [];
  for (const t of types) findings.push(...(best.get(t) as Finding[]));
  return {
    attack: types.length > 0,
    types,
    findings,
    limits: events,
    parse: parsed.parse,
    stats: { points: inspected, bytes: parsed.bytes, durationUs: Math.round((performance.now() - startedAt) * 1000) },
  };
}

/** Keeps the FINDINGS_PER_TYPE strongest findings of a type, one per point. */
function keep(best: Map<AttackType, Finding[]>, f: Finding): void {
  let list = best.get(f.type);
  if (!list) {
    best.set(f.type, [f]);
    return;
  }
  const same = list.findIndex((x) => x.point === f.point);
  if (same >= 0) {
    if (list[same].confidence >= f.confidence) return;
    list.splice(same, 1);
  }
  list.push(f);
  list.sort((a, b) => b.confidence - a.confidence);
  if (list.length > FINDINGS_PER_TYPE) list = list.slice(0, FINDINGS_PER_TYPE);
  best.set(f.type, list);
}

/** Loaded schemas kept; configuration reloads with new files evict the oldest. */
const SCHEMA_CACHE_SIZE = 32;
const schemaCache = new Map<string, GrpcSchema>();

function cached(key: string, build: () => GrpcSchema): GrpcSchema {
  const hit = schemaCache.get(key);
  if (hit) {
    schemaCache.delete(key);
    schemaCache.set(key, hit);
    return hit;
  }
  const schema = build();
  schemaCache.set(key, schema);
  if (schemaCache.size > SCHEMA_CACHE_SIZE) schemaCache.delete(schemaCache.keys().next().value as string);
  return schema;
}

/**
 * Loads (once; cached, bounded) the gRPC methods of .proto files, for `inspect(..., { grpcSchema })`.
 * Throws on unreadable or invalid files: call it when configuring a route, not per request.
 */
export function loadGrpcSchema(files: readonly string[], includeDirs: readonly string[] = []): GrpcSchema {
  return cached(`files:${JSON.stringify([files, includeDirs])}`, () => loadProtoFiles(files, includeDirs));
}

/** Same as loadGrpcSchema for .proto source text (no imports). */
export function grpcSchemaFromSource(source: string): GrpcSchema {
  return cached(`source:${source}`, () => parseProtoSource(source));
}

export interface InspectorConfig {
  protoFiles?: readonly string[];
  protoIncludeDirs?: readonly string[];
  protoSource?: string;
  options?: InspectOptions;
}

/** An inspector bound to one route's configuration: proto files loaded and detector settings resolved once. */
export function createInspector(config: InspectorConfig = {}): { inspect(request: HttpRequest, options?: InspectOptions): Verdict; grpcSchema: GrpcSchema | null } {
  let grpcSchema: GrpcSchema | null = null;
  if (config.protoFiles && config.protoFiles.length > 0) grpcSchema = loadGrpcSchema(config.protoFiles, config.protoIncludeDirs);
  else if (config.protoSource) grpcSchema = grpcSchemaFromSource(config.protoSource);
  const defaults = config.options ?? NO_OPTIONS;
  return {
    grpcSchema,
    inspect: (request, options) => inspect(request, options ?? defaults, { grpcSchema }),
  };
}
