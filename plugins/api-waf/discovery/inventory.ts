/**
 * The node's API inventory: endpoints (method + path template per service/route) and their parameters
 * with type/format histograms, sensitive-data flags, counts and first/last seen. `observe()` runs on the
 * request path: synchronous, allocation-light, never throws. `drain()` hands the changes since the last
 * drain to the sender. Memory is bounded: endpoints, parameters per endpoint, distinct values per
 * parameter and literal fan-out tracking all have caps, and what a cap refused is counted.
 *
 * Two layers: `known` (what exists, for caps and template merging; persistent) and `delta` (statistics
 * since the last drain; cleared by drain). Path parameters are kept by position and named at drain time,
 * so re-templating an endpoint never renames its statistics.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '../../../lib/types';
import { Budget, DEFAULT_EXTRACT_LIMITS, bodyKindOf, extractForm, extractHeaders, extractJson, extractQuery, type ExtractLimits, type ParamIn } from './extract';
import { inferText, type Inferred } from './formats';
import { flagsToKinds, sensitiveFlags } from './sensitive';
import { buildTemplate, paramNames, templatePath, type SegmentKind } from './template';
import type { InventoryBatch, WireEndpoint, WireParam } from './wire';

export interface InventoryLimits extends ExtractLimits {
  maxEndpoints: number;
  maxParamsPerEndpoint: number;
  /** Distinct values remembered (as 32-bit hashes) per parameter. */
  maxDistinct: number;
  /** Distinct literals at one path position (same method and prefix) before the position becomes `{param}`. */
  maxLiteralsPerPosition: number;
}

export const DEFAULT_LIMITS: InventoryLimits = {
  ...DEFAULT_EXTRACT_LIMITS,
  maxEndpoints: 2000,
  maxParamsPerEndpoint: 100,
  maxDistinct: 32,
  maxLiteralsPerPosition: 50,
};

export interface Observation {
  request: HttpRequest;
  serviceId?: string | null;
  routeId?: string | null;
  host?: string | null;
  /** Response status, when observed after the response (log phase). */
  status?: number | null;
  /** Epoch ms; defaults to now. */
  time?: number;
}

const MAX_HOSTS = 4;
const MAX_TEMPLATE = 2048;
const MAX_NAME = 256;
const COLLAPSED: unique symbol = Symbol('collapsed');

interface ParamDelta {
  where: ParamIn;
  name: string;
  count: number;
  first: number;
  last: number;
  types: Record<string, number>;
  formats: Record<string, number>;
  flags: number;
}

interface KnownParam {
  distinct: Set<number>;
  distinctCapped: boolean;
}

interface KnownEndpoint {
  scope: string;
  serviceId: string | null;
  routeId: string | null;
  method: string;
  kinds: (SegmentKind | null)[];
  values: string[];
  params: Map<string, KnownParam>;
}

interface EndpointDelta {
  count: number;
  first: number;
  last: number;
  hosts: string[];
  contentTypes: Record<string, number>;
  statuses: Record<string, number>;
  params: Map<string, ParamDelta>;
  paramsCapped: number;
}

function bump(h: Record<string, number>, k: string, n = 1): void {
  h[k] = (h[k] ?? 0) + n;
}

/** FNV-1a over UTF-16 code units: a cheap, stable fingerprint for distinct counting. */
function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  const n = Math.min(s.length, 256);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ s.length) >>> 0;
}

function headerText(headers: HttpRequest['headers'], name: string): string {
  const v = headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : '';
}

export class Inventory {
  readonly limits: InventoryLimits;
  private known = new Map<string, KnownEndpoint>();
  private delta = new Map<string, EndpointDelta>();
  /** scope|method|position|prefix → literals seen there, or COLLAPSED once over the cap. */
  private fanout = new Map<string, Set<string> | typeof COLLAPSED>();
  /** scope|method pairs with at least one collapsed position (templating asks `forced` only for these). */
  private collapsedScopes = new Set<string>();
  private readonly capped: Record<string, number> = {};
  private observed = 0;

  constructor(limits: Partial<InventoryLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get endpointCount(): number {
    return this.known.size;
  }

  get requestsObserved(): number {
    return this.observed;
  }

  cappedCounts(): Record<string, number> {
    return { ...this.capped };
  }

  /** Records one request. Never throws (a failure is counted as `capped.error`). */
  observe(o: Observation): void {
    try {
      this.record(o);
    } catch {
      bump(this.capped, 'error');
    }
  }

  private record(o: Observation): void {
    const req = o.request;
    const method = (typeof req.method === 'string' ? req.method : '').toUpperCase().slice(0, 16);
    const path = typeof req.path === 'string' && req.path.startsWith('/') ? req.path : '/';
    const serviceId = o.serviceId ?? null;
    const routeId = o.routeId ?? null;
    const scope = `${serviceId ?? ''}\u0001${routeId ?? ''}`;
    const scopeMethod = `${scope}\u0001${method}`;
    const now = o.time ?? Date.now();
    this.observed++;

    const forced = this.collapsedScopes.has(scopeMethod)
      ? (i: number, prefix: string) => this.fanout.get(`${scopeMethod}\u0001${i}\u0001${prefix}`) === COLLAPSED
      : undefined;
    let t = templatePath(path, forced);
    if (t.template.length > MAX_TEMPLATE) {
      bump(this.capped, 'template_too_long');
      return;
    }
    let key = `${scopeMethod}\u0001${t.template}`;
    let known = this.known.get(key);
    if (!known) {
      if (this.trackLiterals(scopeMethod, t.kinds, t.values)) {
        t = templatePath(path, (i, prefix) => this.fanout.get(`${scopeMethod}\u0001${i}\u0001${prefix}`) === COLLAPSED);
        key = `${scopeMethod}\u0001${t.template}`;
        known = this.known.get(key);
      }
    }
    if (!known) {
      if (this.known.size >= this.limits.maxEndpoints) {
        bump(this.capped, 'endpoints');
        return;
      }
      known = { scope, serviceId, routeId, method, kinds: t.kinds, values: t.kinds.map((k, i) => (k === null ? t.values[i] : '')), params: new Map() };
      this.known.set(key, known);
    }
    let d = this.delta.get(key);
    if (!d) {
      d = { count: 0, first: now, last: now, hosts: [], contentTypes: {}, statuses: {}, params: new Map(), paramsCapped: 0 };
      this.delta.set(key, d);
    }
    d.count++;
    if (now < d.first) d.first = now;
    if (now > d.last) d.last = now;
    const host = o.host ?? headerText(req.headers ?? {}, 'host');
    if (host && d.hosts.length < MAX_HOSTS && !d.hosts.includes(host)) d.hosts.push(host.slice(0, 255));
    if (typeof o.status === 'number' && o.status >= 100 && o.status <= 599) bump(d.statuses, String(o.status));

    const endpoint = known;
    const delta = d;
    const sink = (where: ParamIn, name: string, inferred: Inferred, flags: number, value: string): void =>
      this.param(endpoint, delta, where, name, inferred, flags, value, now);

    for (let i = 0; i < t.kinds.length; i++) {
      if (t.kinds[i] === null) continue;
      const v = t.values[i];
      this.param(endpoint, delta, 'path', `#${i}`, inferText(v), sensitiveFlags('', v), v, now);
    }
    const budget = new Budget(this.limits.maxPerRequest);
    const headers = req.headers ?? {};
    extractQuery(typeof req.query === 'string' ? req.query : '', sink, budget);
    extractHeaders(headers, sink, budget);
    this.body(req, headers, delta, sink, budget);
    if (budget.left <= 0) bump(this.capped, 'params_per_request');
  }

  private body(req: HttpRequest, headers: HttpRequest['headers'], d: EndpointDelta, sink: Parameters<typeof extractJson>[1], budget: Budget): void {
    const body = req.body;
    if (!body || body.length === 0) {
      bump(d.contentTypes, 'none');
      return;
    }
    const kind = bodyKindOf(headerText(headers, 'content-type'));
    bump(d.contentTypes, kind);
    if (kind !== 'json' && kind !== 'form') return;
    const encoding = headerText(headers, 'content-encoding').trim().toLowerCase();
    if ((encoding !== '' && encoding !== 'identity') || body.length > this.limits.maxBodyBytes) {
      bump(this.capped, 'body_unparsed');
      return;
    }
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    if (kind === 'form') extractForm(text, sink, budget);
    else if (!extractJson(text, sink, budget, this.limits)) bump(this.capped, 'body_invalid_json');
  }

  private param(e: KnownEndpoint, d: EndpointDelta, where: ParamIn, rawName: string, inferred: Inferred, flags: number, value: string, now: number): void {
    const name = rawName.length > MAX_NAME ? rawName.slice(0, MAX_NAME) : rawName;
    const pkey = `${where}\u0001${name}`;
    let k = e.params.get(pkey);
    if (!k) {
      if (e.params.size >= this.limits.maxParamsPerEndpoint) {
        d.paramsCapped++;
        bump(this.capped, 'params');
        return;
      }
      k = { distinct: new Set(), distinctCapped: false };
      e.params.set(pkey, k);
    }
    if (value !== '' && !k.distinctCapped) {
      k.distinct.add(fingerprint(value));
      if (k.distinct.size > this.limits.maxDistinct) {
        k.distinct.delete(fingerprint(value));
        k.distinctCapped = true;
      }
    }
    let p = d.params.get(pkey);
    if (!p) {
      p = { where, name, count: 0, first: now, last: now, types: {}, formats: {}, flags: 0 };
      d.params.set(pkey, p);
    }
    p.count++;
    if (now < p.first) p.first = now;
    if (now > p.last) p.last = now;
    bump(p.types, inferred.type);
    if (inferred.format !== null) bump(p.formats, inferred.format);
    p.flags |= flags;
  }

  /**
   * Remembers the literals of a new endpoint per position. True when a position just went over the cap
   * (it is now a parameter, and every known endpoint with a literal there was merged into the template).
   */
  private trackLiterals(scopeMethod: string, kinds: readonly (SegmentKind | null)[], values: readonly string[]): boolean {
    let collapsed = false;
    for (let i = 0; i < kinds.length; i++) {
      // Position 0 is never collapsed: a site's top-level names are few and meaningful; the endpoint cap bounds the rest.
      if (i === 0 || kinds[i] !== null || values[i] === '') continue;
      const prefix = i === 0 ? '' : buildTemplate(kinds, values, i);
      const fkey = `${scopeMethod}\u0001${i}\u0001${prefix}`;
      let seen = this.fanout.get(fkey);
      if (seen === COLLAPSED) continue;
      if (!seen) {
        if (this.fanout.size >= this.limits.maxEndpoints * 4) {
          bump(this.capped, 'fanout_tracking');
          continue;
        }
        seen = new Set();
        this.fanout.set(fkey, seen);
      }
      seen.add(values[i]);
      if (seen.size > this.limits.maxLiteralsPerPosition) {
        this.fanout.set(fkey, COLLAPSED);
        this.collapsedScopes.add(scopeMethod);
        this.collapse(scopeMethod, i, prefix);
        collapsed = true;
      }
    }
    return collapsed;
  }

  /** Position `index` under `prefix` became a parameter: re-key every endpoint with a literal there. */
  private collapse(scopeMethod: string, index: number, prefix: string): void {
    for (const [key, e] of [...this.known]) {
      if (`${e.scope}\u0001${e.method}` !== scopeMethod || e.kinds.length <= index || e.kinds[index] !== null) continue;
      if ((index === 0 ? '' : buildTemplate(e.kinds, e.values, index)) !== prefix) continue;
      const literal = e.values[index];
      const kinds = e.kinds.slice();
      kinds[index] = 'param';
      const values = e.values.slice();
      values[index] = '';
      const newKey = `${scopeMethod}\u0001${buildTemplate(kinds, values)}`;
      this.known.delete(key);
      const target = this.known.get(newKey);
      const merged: KnownEndpoint = target ?? { ...e, kinds, values, params: e.params };
      if (target) for (const [pk, kp] of e.params) if (!target.params.has(pk) && target.params.size < this.limits.maxParamsPerEndpoint) target.params.set(pk, kp);
      this.known.set(newKey, merged);
      const d = this.delta.get(key);
      if (!d) continue;
      this.delta.delete(key);
      // The literal was a value all along: record it as the new path parameter's observations.
      const inferred = inferText(literal);
      const pd: ParamDelta = { where: 'path', name: `#${index}`, count: d.count, first: d.first, last: d.last, types: { [inferred.type]: d.count }, formats: inferred.format ? { [inferred.format]: d.count } : {}, flags: 0 };
      const pathKey = `path\u0001#${index}`;
      if (d.params.size < this.limits.maxParamsPerEndpoint) d.params.set(pathKey, pd);
      else d.paramsCapped++;
      if (!merged.params.has(pathKey) && merged.params.size < this.limits.maxParamsPerEndpoint) merged.params.set(pathKey, { distinct: new Set([fingerprint(literal)]), distinctCapped: false });
      const into = this.delta.get(newKey);
      this.delta.set(newKey, into ? mergeDelta(into, d, this.limits.maxParamsPerEndpoint) : d);
    }
  }

  /** Everything observed since the last drain, as a batch to send; null when nothing was observed. */
  drain(nodeId: string, now = Date.now()): InventoryBatch | null {
    if (this.delta.size === 0) return null;
    const endpoints: WireEndpoint[] = [];
    for (const [key, d] of this.delta) {
      const e = this.known.get(key);
      if (!e) continue;
      const names = paramNames(e.kinds);
      const params: WireParam[] = [];
      for (const [pkey, p] of d.params) {
        let name = p.name;
        if (p.where === 'path') {
          const n = names[Number(p.name.slice(1))];
          if (!n) continue;
          name = n;
        }
        const k = e.params.get(pkey);
        params.push({
          in: p.where, name, count: p.count, first_seen: new Date(p.first).toISOString(), last_seen: new Date(p.last).toISOString(),
          types: p.types, formats: p.formats, sensitive: flagsToKinds(p.flags), distinct: k?.distinct.size ?? 0, distinct_capped: k?.distinctCapped ?? false,
        });
      }
      endpoints.push({
        service_id: e.serviceId, route_id: e.routeId, method: e.method, template: buildTemplate(e.kinds, e.values),
        count: d.count, first_seen: new Date(d.first).toISOString(), last_seen: new Date(d.last).toISOString(),
        hosts: d.hosts, content_types: d.contentTypes, statuses: d.statuses, params, params_capped: d.paramsCapped,
      });
    }
    this.delta = new Map();
    return { batch_id: randomUUID(), node_id: nodeId, sent_at: new Date(now).toISOString(), capped: this.cappedCounts(), endpoints };
  }
}

function mergeDelta(a: EndpointDelta, b: EndpointDelta, maxParams: number): EndpointDelta {
  a.count += b.count;
  a.first = Math.min(a.first, b.first);
  a.last = Math.max(a.last, b.last);
  for (const h of b.hosts) if (a.hosts.length < MAX_HOSTS && !a.hosts.includes(h)) a.hosts.push(h);
  for (const [k, n] of Object.entries(b.contentTypes)) bump(a.contentTypes, k, n);
  for (const [k, n] of Object.entries(b.statuses)) bump(a.statuses, k, n);
  a.paramsCapped += b.paramsCapped;
  for (const [pk, p] of b.params) {
    const q = a.params.get(pk);
    if (!q) {
      if (a.params.size < maxParams) a.params.set(pk, p);
      else a.paramsCapped++;
      continue;
    }
    q.count += p.count;
    q.first = Math.min(q.first, p.first);
    q.last = Math.max(q.last, p.last);
    for (const [k, n] of Object.entries(p.types)) bump(q.types, k, n);
    for (const [k, n] of Object.entries(p.formats)) bump(q.formats, k, n);
    q.flags |= p.flags;
  }
  return a;
}
