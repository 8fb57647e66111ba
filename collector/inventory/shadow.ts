/**
 * Shadow endpoints: observed, but not declared by the OpenAPI document the operator uploaded for the
 * route (or its service, or the fleet-wide `*` document). The collector keeps only what matching needs:
 * declared `METHOD /path/{x}` operations and the servers' base paths. An observed template matches a
 * declared path when every segment is equal or the declared one is templated; an observed `{id}` never
 * matches a declared literal (it stands for many values).
 */
import YAML from 'yaml';
import { HttpError } from '../http-error';
import type { InventoryEndpoint, StoredSpec } from '../store/inventory-types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const MAX_OPERATIONS = 20_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function normalizeBase(p: string): string {
  let s = p.trim();
  if (!s.startsWith('/')) s = `/${s}`;
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s === '/' ? '' : s;
}

/** Upload body `{ document: <object or JSON/YAML text>, base_path?: string }` → a spec to store. */
export function parseSpecUpload(scope: string, body: unknown, now: number): StoredSpec {
  if (!isObject(body)) throw new HttpError(400, 'invalid_spec', 'send { "document": <OpenAPI object or JSON/YAML text>, "base_path"?: "/v1" }');
  let doc = body.document;
  if (typeof doc === 'string') {
    try {
      doc = YAML.parse(doc, { maxAliasCount: 100 }) as unknown;
    } catch (error) {
      throw new HttpError(400, 'invalid_spec', `document is not valid JSON or YAML: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !/^3\.[01]\./.test(doc.openapi)) {
    throw new HttpError(400, 'invalid_spec', 'document must be an OpenAPI 3.0 or 3.1 object ("openapi": "3.x.y")');
  }
  if (!isObject(doc.paths)) throw new HttpError(400, 'invalid_spec', 'document has no "paths" object');
  const operations: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/') || !isObject(item)) continue;
    for (const m of METHODS) if (isObject(item[m])) operations.push(`${m.toUpperCase()} ${path}`);
    if (operations.length > MAX_OPERATIONS) throw new HttpError(400, 'invalid_spec', `document declares more than ${MAX_OPERATIONS} operations`);
  }
  let basePaths: string[];
  if (typeof body.base_path === 'string') basePaths = [normalizeBase(body.base_path)];
  else {
    const servers = Array.isArray(doc.servers) ? doc.servers : [];
    const set = new Set<string>();
    for (const s of servers) {
      if (!isObject(s) || typeof s.url !== 'string') continue;
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(s.url);
      set.add(normalizeBase((m ? s.url.slice(m[0].length) : s.url).replace(/\{[^}]*\}/g, '')));
    }
    basePaths = set.size > 0 ? [...set] : [''];
  }
  basePaths.sort((a, b) => b.length - a.length);
  return { scope, document: doc, operations, base_paths: basePaths, uploaded_at: now };
}

const segments = (p: string): string[] => p.split('/').slice(1);
const templated = (seg: string): boolean => seg.includes('{');

function segmentMatches(observed: string, declared: string): boolean {
  if (templated(declared)) return true;
  return !templated(observed) && observed === declared;
}

/** Compiled spec: declared operations grouped by method and segment count. */
export class SpecMatcher {
  private readonly byMethod = new Map<string, string[][]>();

  constructor(readonly spec: StoredSpec) {
    for (const op of spec.operations) {
      const space = op.indexOf(' ');
      const method = op.slice(0, space);
      const list = this.byMethod.get(method) ?? [];
      list.push(segments(op.slice(space + 1)));
      this.byMethod.set(method, list);
    }
  }

  declares(method: string, template: string): boolean {
    for (const base of this.spec.base_paths) {
      let rest: string;
      if (base === '') rest = template;
      else if (template === base) rest = '/';
      else if (template.startsWith(`${base}/`)) rest = template.slice(base.length);
      else continue;
      const observed = segments(rest);
      const candidates = [...(this.byMethod.get(method) ?? []), ...(method === 'HEAD' ? this.byMethod.get('GET') ?? [] : [])];
      if (candidates.some((d) => d.length === observed.length && d.every((seg, i) => segmentMatches(observed[i], seg)))) return true;
    }
    return false;
  }
}

/** Per endpoint: true (shadow), false (declared) or null (no document covers it). */
export class ShadowIndex {
  private readonly matchers = new Map<string, SpecMatcher>();

  constructor(specs: readonly StoredSpec[]) {
    for (const s of specs) this.matchers.set(s.scope, new SpecMatcher(s));
  }

  /** The document covering an endpoint: its route's, else its service's, else the fleet-wide one. */
  specFor(e: Pick<InventoryEndpoint, 'route_id' | 'service_id'>): SpecMatcher | null {
    return (e.route_id && this.matchers.get(`route:${e.route_id}`)) || (e.service_id && this.matchers.get(`service:${e.service_id}`)) || this.matchers.get('*') || null;
  }

  shadow(e: Pick<InventoryEndpoint, 'route_id' | 'service_id' | 'method' | 'template'>): boolean | null {
    const m = this.specFor(e);
    return m ? !m.declares(e.method, e.template) : null;
  }
}
