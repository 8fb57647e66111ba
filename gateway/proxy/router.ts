/**
 * Route matching with Kong 3.x `router_flavor = traditional_compatible` semantics
 * (`kong/router/transform.lua: get_priority`, `split_routes_and_services_by_path`, `kong/router/utils.lua`):
 * - a route matches when every field it sets matches: hosts (exact, `*.x` / `x.*` wildcards, optional
 *   port), methods, headers (any listed value, case-insensitive; `~*` prefix = regex), paths (prefix, or
 *   `~` regex anchored at the start);
 * - routes are split per path group (all regex paths, or prefix paths of one length) and ordered by
 *   Kong's priority tuple: number of fields set, plain-host-only, header count, regex path,
 *   regex_priority (regex paths only), prefix length; then creation time.
 * Path regexes come from configuration but run on attacker-controlled paths, so they use RE2 (linear time).
 */
import RE2 from 're2';
import type { Route, Service } from '../config/types';

export interface RouteMatch {
  route: Route;
  service: Service | null;
  /** The part of the path the route's path matched (stripped when strip_path). */
  matchedPath: string;
  /** Path after the matched part. */
  postfix: string;
  captures: { unnamed: string[]; named: Record<string, string> } | null;
}

export interface RouterRequest {
  method: string;
  /** Request path (no query), as used for matching. */
  path: string;
  /** Host header value (may include a port). */
  host: string;
  headers: (name: string) => string[] | undefined;
  protocol: string;
}

interface PathMatcher {
  regex: RE2 | null;
  prefix: string | null;
}

interface Candidate {
  route: Route;
  service: Service | null;
  paths: PathMatcher[];
  hosts: Array<{ kind: 'exact' | 'suffix' | 'prefix'; value: string; port: string | null }>;
  methods: Set<string> | null;
  headers: Array<{ name: string; exact: Set<string>; regexes: RE2[] }>;
  priority: bigint;
}

const PROTOCOLS_HTTP = new Set(['http', 'https', 'grpc', 'grpcs']);

function isEmpty(v: unknown[] | Record<string, unknown> | null | undefined): boolean {
  if (!v) return true;
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function groupPaths(paths: string[]): string[][] {
  const regexes = paths.filter((p) => p.startsWith('~'));
  const byLen = new Map<number, string[]>();
  for (const p of paths) if (!p.startsWith('~')) byLen.set(p.length, [...(byLen.get(p.length) ?? []), p]);
  const groups: string[][] = [];
  if (regexes.length) groups.push(regexes);
  for (const g of byLen.values()) groups.push(g);
  return groups;
}

function priorityOf(route: Route, paths: string[] | null): bigint {
  let weight = 0n;
  if (!isEmpty(route.methods)) weight++;
  if (!isEmpty(route.hosts)) weight++;
  const headerCount = BigInt(Math.min(255, route.headers ? Object.keys(route.headers).length : 0));
  if (headerCount > 0n) weight++;
  const plainHostOnly = !!route.hosts && route.hosts.length > 0 && route.hosts.every((h) => !h.includes('*'));
  let regexUrl = false;
  let uriLength = 0;
  if (paths && paths.length) {
    weight++;
    regexUrl = paths[0].startsWith('~');
    if (!regexUrl) uriLength = paths[0].length;
  }
  const regexPriority = BigInt(regexUrl ? Math.max(0, route.regex_priority ?? 0) : 0);
  return (
    (weight << 61n) |
    ((plainHostOnly ? 1n : 0n) << 60n) |
    (headerCount << 52n) |
    ((regexUrl ? 1n : 0n) << 51n) |
    (regexPriority << 19n) |
    BigInt(uriLength & 0x7ffff)
  );
}

function compileHost(h: string): Candidate['hosts'][number] {
  const lower = h.toLowerCase();
  const m = /^(.*?)(?::(\d+))?$/.exec(lower);
  const name = m?.[1] ?? lower;
  const port = m?.[2] ?? null;
  if (name.startsWith('*.')) return { kind: 'suffix', value: name.slice(1), port };
  if (name.endsWith('.*')) return { kind: 'prefix', value: name.slice(0, -1), port };
  return { kind: 'exact', value: name, port };
}

function compilePath(p: string): PathMatcher {
  if (p.startsWith('~')) {
    const source = p.slice(1);
    return { regex: new RE2(source.startsWith('^') ? source : `^(?:${source})`), prefix: null };
  }
  return { regex: null, prefix: p };
}

export class Router {
  private readonly candidates: Candidate[] = [];
  readonly errors: string[] = [];

  constructor(routes: Route[], services: Service[]) {
    const servicesById = new Map(services.map((s) => [s.id, s]));
    for (const route of routes) {
      if (!route.protocols.some((p) => PROTOCOLS_HTTP.has(p))) continue;
      const service = route.service ? servicesById.get(route.service.id) ?? null : null;
      if (service && service.enabled === false) continue;
      const groups = route.paths && route.paths.length ? groupPaths(route.paths) : [null];
      for (const group of groups) {
        try {
          this.candidates.push({
            route,
            service,
            paths: group ? group.map(compilePath) : [],
            hosts: (route.hosts ?? []).map(compileHost),
            methods: route.methods && route.methods.length ? new Set(route.methods.map((m) => m.toUpperCase())) : null,
            headers: Object.entries(route.headers ?? {}).map(([name, values]) => ({
              name: name.toLowerCase(),
              exact: new Set(values.filter((v) => !v.startsWith('~*')).map((v) => v.toLowerCase())),
              regexes: values.filter((v) => v.startsWith('~*')).map((v) => new RE2(v.slice(2), 'i')),
            })),
            priority: priorityOf(route, group),
          });
        } catch (err) {
          this.errors.push(`route ${route.id}: ${(err as Error).message}`);
        }
      }
    }
    this.candidates.sort((a, b) => {
      if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
      if (a.route.created_at !== b.route.created_at) return a.route.created_at - b.route.created_at;
      return a.route.id < b.route.id ? -1 : a.route.id > b.route.id ? 1 : 0;
    });
  }

  match(req: RouterRequest): RouteMatch | null {
    const hostHeader = req.host.toLowerCase();
    const hm = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostHeader);
    const hostName = hm?.[1] ?? hostHeader;
    const hostPort = hm?.[2] ?? null;
    for (const c of this.candidates) {
      if (!c.route.protocols.includes(req.protocol)) continue;
      if (c.methods && !c.methods.has(req.method.toUpperCase())) continue;
      if (c.hosts.length && !c.hosts.some((h) => hostMatches(h, hostName, hostPort))) continue;
      if (c.headers.length && !c.headers.every((h) => headerMatches(h, req.headers(h.name)))) continue;
      if (c.paths.length === 0) {
        return { route: c.route, service: c.service, matchedPath: '', postfix: req.path, captures: null };
      }
      for (const p of c.paths) {
        if (p.prefix !== null) {
          if (req.path.startsWith(p.prefix)) {
            return { route: c.route, service: c.service, matchedPath: p.prefix, postfix: req.path.slice(p.prefix.length), captures: null };
          }
        } else if (p.regex) {
          const m = p.regex.exec(req.path);
          if (m) {
            const named: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) named[k] = v;
            return {
              route: c.route,
              service: c.service,
              matchedPath: m[0],
              postfix: req.path.slice(m[0].length),
              captures: { unnamed: [m[0], ...m.slice(1).map((v) => v ?? '')], named },
            };
          }
        }
      }
    }
    return null;
  }
}

function hostMatches(h: Candidate['hosts'][number], name: string, port: string | null): boolean {
  if (h.port !== null && h.port !== port) return false;
  if (h.kind === 'exact') return name === h.value;
  if (h.kind === 'suffix') return name.endsWith(h.value) && name.length > h.value.length;
  return name.startsWith(h.value) && name.length > h.value.length;
}

function headerMatches(h: Candidate['headers'][number], values: string[] | undefined): boolean {
  if (!values) return false;
  return values.some((v) => h.exact.has(v.toLowerCase()) || h.regexes.some((r) => r.test(v)));
}

/** `kong/router/utils.lua: get_upstream_uri_v0`. */
export function upstreamUriV0(stripPath: boolean, postfix: string, reqUri: string, base: string): string {
  if (base.endsWith('/')) {
    if (stripPath) {
      if (postfix === '') {
        if (base === '/') return '/';
        if (reqUri.endsWith('/')) return base;
        return base.slice(0, -1);
      }
      if (postfix.startsWith('/')) return base.slice(0, -1) + postfix;
      return base + postfix;
    }
    return base + reqUri.slice(1);
  }
  if (stripPath) {
    if (postfix === '') {
      if (reqUri.length > 1 && reqUri.endsWith('/')) return `${base}/`;
      return base;
    }
    if (postfix.startsWith('/')) return base + postfix;
    return `${base}/${postfix}`;
  }
  if (reqUri === '/') return base;
  return base + reqUri;
}

/** path_handling v1 (Kong's older default): plain concatenation with the slash collapsed. */
export function upstreamUriV1(stripPath: boolean, postfix: string, reqUri: string, base: string): string {
  const rest = stripPath ? postfix : reqUri;
  if (rest === '') return base;
  if (base.endsWith('/') && rest.startsWith('/')) return base + rest.slice(1);
  if (!base.endsWith('/') && !rest.startsWith('/')) return `${base}/${rest}`;
  return base + rest;
}
