import { performance } from 'node:perf_hooks';
import { createDetectorInput } from './detector-input';
import { DETECTORS } from './detectors';
import { mergeLimits } from './limits';
import { parseRequest } from './parsers/request';
import { loadProtoFiles, parseProtoSource, type GrpcSchema } from './parsers/proto-schema';
import {
  ATTACK_TYPES,
  type AttackType,
  type Detection,
  type Detector,
  type Finding,
  type HttpRequest,
  type InspectOptions,
  type LimitEvent,
  type Limits,
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
  threshold: number;
  /** null: all sources. */
  sources: ReadonlySet<PointSource> | null;
}

const TYPE_ORDER = new Map<AttackType, number>(ATTACK_TYPES.map((t, i) => [t, i]));

/** Resolved detector lists are cached per (options, detectors) pair: routes reuse one options object. */
const activeCache = new WeakMap<object, WeakMap<readonly Detector[], ActiveDetector[]>>();
const NO_OPTIONS: InspectOptions = {};

function activeDetectors(options: InspectOptions, detectors: readonly Detector[]): ActiveDetector[] {
  let perOptions = activeCache.get(options);
  if (!perOptions) {
    perOptions = new WeakMap();
    activeCache.set(options, perOptions);
  }
  const hit = perOptions.get(detectors);
  if (hit) return hit;
  const out: ActiveDetector[] = [];
  for (const detector of detectors) {
    const s = options.detectors?.[detector.type];
    if (s?.enabled === false) continue;
    const t = s?.threshold;
    const threshold = typeof t === 'number' && Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : DEFAULT_THRESHOLD;
    out.push({ detector, threshold, sources: detector.sources ? new Set(detector.sources) : null });
  }
  perOptions.set(detectors, out);
  return out;
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
  const limits: Limits = mergeLimits(options.limits);
  const active = activeDetectors(options, context.detectors ?? DETECTORS);
  const parsed = parseRequest(request, limits, { grpcSchema: context.grpcSchema ?? null, startedAt });
  const events: LimitEvent[] = parsed.limits;
  const deadline = startedAt + limits.timeBudgetMs;
  const best = new Map<AttackType, Finding[]>();
  let inspected = 0;
  const points = parsed.points;
  for (let i = 0; i < points.length; i++) {
    if (i % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() > deadline) {
      events.push({ kind: 'budget_exhausted', detail: `time budget of ${limits.timeBudgetMs} ms spent; ${points.length - i} of ${points.length} points not inspected` });
      break;
    }
    const point = points[i];
    const input = createDetectorInput(point);
    inspected += 1;
    for (const a of active) {
      if (a.sources !== null && !a.sources.has(point.source)) continue;
      let d: Detection | null;
      try {
        d = a.detector.detect(input);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        events.push({ kind: 'parse_error', point: point.path, detail: `detector ${a.detector.type} failed: ${clip(message)}` });
        continue;
      }
      if (d === null || !(d.confidence >= a.threshold)) continue;
      keep(best, { ...d, excerpt: clip(d.excerpt), point: point.path, source: point.source });
    }
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
