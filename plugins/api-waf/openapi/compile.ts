/**
 * A document → a CompiledApi: operations in a path trie, every parameter and body schema compiled by
 * Ajv. Runs at instance start (and for config checks), never per request; results are cached by the
 * content hash of every file the document is made of, in a bounded cache shared by all plugin
 * instances of the process (routes that name the same document share one compilation).
 */
import type { ValidateFunction } from 'ajv';
import { performance } from 'node:perf_hooks';
import { BoundedTtlMap } from '../../common/lru';
import { createAjv, type AnyAjv } from './ajv';
import { DocumentSet } from './documents';
import { OperationBuilder, type MediaKind, type OperationDraft } from './operations';
import type { ParamSpec } from './params';
import { PathMatcher } from './paths';
import { SchemaBundler, type Dialect } from './schemas';
import { OpenApiDocumentError, type OpenApiOptions } from './types';

export interface CompiledParam {
  spec: ParamSpec;
  required: boolean;
  /** Validates `{ v: value }` (the wrapper lets Ajv coerce a string at the root in place). */
  validate: ValidateFunction | null;
  location: string;
  schemaLocation: string;
  point: string;
}

export interface CompiledMedia {
  range: string;
  kind: MediaKind;
  validate: ValidateFunction | null;
  location: string;
  formFields: ParamSpec[];
}

export interface CompiledOperation {
  method: string;
  template: string;
  name: string;
  location: string;
  params: CompiledParam[];
  /** Query parameter names this operation declares, and `name[` prefixes of deepObject parameters. */
  queryNames: ReadonlySet<string>;
  queryPrefixes: readonly string[];
  body: { required: boolean; media: CompiledMedia[]; location: string } | null;
}

export interface CompiledApi {
  hash: string;
  dialect: Dialect;
  /** Without trailing slash; `''` for the root. */
  basePaths: readonly string[];
  matcher: PathMatcher<ReadonlyMap<string, CompiledOperation>>;
  operations: number;
  compileMs: number;
  warnings: string[];
  /**
   * Document location of a failing schema node, for violation reasons. `base` is the location of the
   * validated schema's root (the parameter's or media type's schema): structurally identical schemas share
   * one compiled function, so inline nodes are located relative to the root that is being validated.
   */
  locate(schema: object, base: string): string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function dialectOf(doc: unknown): Dialect {
  const v = isObject(doc) ? doc.openapi : undefined;
  if (typeof v === 'string' && /^3\.0\.\d+$/.test(v)) return '3.0';
  if (typeof v === 'string' && /^3\.1\.\d+$/.test(v)) return '3.1';
  if (isObject(doc) && typeof doc.swagger === 'string') throw new OpenApiDocumentError('Swagger 2.0 documents are not supported; convert to OpenAPI 3');
  throw new OpenApiDocumentError(`"openapi" must be a 3.0.x or 3.1.x version (got ${JSON.stringify(v)})`);
}

export function normalizeBasePath(p: string): string {
  let s = p.trim();
  if (!s.startsWith('/')) s = `/${s}`;
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s === '/' ? '' : s;
}

/** Path parts of `servers[].url` (`https://api.example.com/v1` → `/v1`), variables at their defaults. */
function serverBasePaths(doc: unknown): string[] {
  const servers = isObject(doc) && Array.isArray(doc.servers) ? doc.servers : [];
  const out = new Set<string>();
  for (const s of servers) {
    if (!isObject(s) || typeof s.url !== 'string') continue;
    const vars = isObject(s.variables) ? s.variables : {};
    const url = s.url.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
      const v = vars[name];
      return isObject(v) && typeof v.default === 'string' ? v.default : '';
    });
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(url);
    out.add(normalizeBasePath(m ? url.slice(m[0].length) : url.replace(/^\/\/[^/]*/, '')));
  }
  return out.size > 0 ? [...out] : [''];
}

function compileOne(ajv: AnyAjv, schema: unknown, location: string): ValidateFunction {
  try {
    return ajv.compile(schema as Json);
  } catch (err) {
    throw new OpenApiDocumentError(`${location}: schema rejected: ${(err as Error).message}`);
  }
}

export function compileDocument(docs: DocumentSet, options: OpenApiOptions, hash: string): CompiledApi {
  const started = performance.now();
  const dialect = dialectOf(docs.root.value);
  const bundler = new SchemaBundler(docs, dialect);
  const drafts: OperationDraft[] = new OperationBuilder(docs, bundler).build();
  const warnings: string[] = [];
  const defs = bundler.defsSchema();
  const strict = createAjv(dialect, false, bundler.formats, defs);
  const coercing = createAjv(dialect, true, bundler.formats, defs);
  // Structurally identical schemas (the same inline `limit` parameter in 300 operations, the same
  // `{ $ref: Order }` body in POST and PUT) are compiled once: Ajv's compile dominates start-up time.
  const compiled = new Map<string, ValidateFunction>();
  const relative = new WeakMap<object, string>();
  const compileShared = (ajv: AnyAjv, tag: string, root: unknown, schema: unknown, location: string): ValidateFunction => {
    const key = `${tag}\u0000${JSON.stringify(root)}`;
    const hit = compiled.get(key);
    if (hit) return hit;
    const fn = compileOne(ajv, schema, location);
    compiled.set(key, fn);
    indexRelative(root, relative);
    return fn;
  };
  const wrap = (schema: unknown): Json => ({ type: 'object', properties: { v: schema } });

  const matcher = new PathMatcher<Map<string, CompiledOperation>>();
  const byTemplate = new Map<string, Map<string, CompiledOperation>>();
  for (const d of drafts) {
    const params: CompiledParam[] = d.params.map((p) => ({
      spec: p.spec,
      required: p.required,
      validate: p.schema === null ? null : compileShared(coercing, 'param', p.schema, wrap(p.schema), p.schemaLocation),
      location: p.location,
      schemaLocation: p.schemaLocation,
      point: `${p.spec.in}.${p.spec.name}`,
    }));
    const queryNames = new Set<string>();
    const queryPrefixes: string[] = [];
    for (const p of d.params) {
      if (p.spec.in !== 'query') continue;
      if (p.spec.style === 'deepObject') queryPrefixes.push(`${p.spec.name}[`);
      else if (p.spec.kind === 'object' && p.spec.explode && !p.spec.json) for (const n of p.spec.properties) queryNames.add(n);
      else queryNames.add(p.spec.name);
    }
    const body = d.body && {
      required: d.body.required,
      location: d.body.location,
      media: d.body.media.map((m) => ({
        range: m.range,
        kind: m.kind,
        location: m.location,
        formFields: m.formFields,
        validate: m.schema === null ? null : compileShared(m.kind === 'form' ? coercing : strict, m.kind, m.schema, m.schema, m.location),
      })),
    };
    let ops = byTemplate.get(d.template);
    if (!ops) {
      byTemplate.set(d.template, (ops = new Map()));
      matcher.add(d.template, ops);
    }
    ops.set(d.method, { method: d.method, template: d.template, name: d.name, location: d.location, params, queryNames, queryPrefixes, body });
  }

  const basePaths = options.basePath ? [normalizeBasePath(options.basePath)] : serverBasePaths(docs.root.value);
  // longest first, so `/v1/admin` is tried before `/v1`
  basePaths.sort((a, b) => b.length - a.length);
  return {
    hash,
    dialect,
    basePaths,
    matcher,
    operations: drafts.length,
    compileMs: performance.now() - started,
    warnings,
    locate: (schema, base) => {
      const rel = relative.get(schema);
      return rel !== undefined ? `${base}${rel}` : bundler.locations.get(schema);
    },
  };
}

/** Inline nodes of a compiled root → JSON pointer relative to it (refs are strings: defs are not walked). */
function indexRelative(root: unknown, out: WeakMap<object, string>): void {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop() as [unknown, string];
    if (node === null || typeof node !== 'object') continue;
    if (!out.has(node)) out.set(node, at);
    if (Array.isArray(node)) node.forEach((x, i) => stack.push([x, `${at}/${i}`]));
    else for (const [k, x] of Object.entries(node)) stack.push([x, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
}

const CACHE_ENTRIES = 16;
const FOREVER = 2 ** 31;
const cache = new BoundedTtlMap<string, CompiledApi>(CACHE_ENTRIES);

export type LoadResult = { ok: true; api: CompiledApi; cached: boolean } | { ok: false; error: string };

/**
 * Loads, resolves and compiles (or takes from the cache) the document `options` names. Never throws:
 * a broken document is `{ ok: false, error }` with a message for the operator.
 */
export function loadOpenApi(options: OpenApiOptions): LoadResult {
  try {
    const docs = new DocumentSet(options.source);
    docs.loadAll();
    const hash = docs.contentHash(`base:${options.basePath ?? ''}`);
    const hit = cache.get(hash);
    if (hit) return { ok: true, api: hit, cached: true };
    const api = compileDocument(docs, options, hash);
    cache.set(hash, api, FOREVER);
    return { ok: true, api, cached: false };
  } catch (err) {
    if (err instanceof OpenApiDocumentError) return { ok: false, error: err.message };
    // Anything else (a RangeError from a pathological document, a bug) is still a broken-document answer
    return { ok: false, error: `cannot compile the document: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** Test seam. */
export function clearOpenApiCache(): void {
  cache.clear();
}
