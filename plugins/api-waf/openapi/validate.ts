/**
 * One request against a CompiledApi → violations. Order: endpoint (base path, path template, method),
 * parameters (path, query, header, cookie: missing, undeserializable, schema), undeclared query
 * parameters, then the body (presence, content type, JSON or form content against its schema). Bodies of
 * other media types are only checked for their content type. Never throws: a request the validator
 * cannot handle is an `invalid_body` / `invalid_parameter` violation with the reason.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { decompress } from '../../../lib/parsers/compression';
import type { CompiledApi, CompiledMedia, CompiledOperation } from './compile';
import { describeError, pickError } from './errors';
import { cookiePairs, fromQuery, fromString, queryPairs, type Extracted } from './params';
import { splitPath } from './paths';
import type { Violation, ViolationClass } from './types';

export interface OpenApiRequest {
  method: string;
  /** Raw path (percent-encoded), without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | readonly string[]>>;
  body?: Uint8Array | null;
}

export interface ValidateOptions {
  /** Decompressed body bytes looked at (Content-Encoding bombs). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Violations collected per request before stopping. Default 16. */
  maxViolations?: number;
}

class Collector {
  readonly list: Violation[] = [];
  constructor(
    private readonly max: number,
    private readonly operation: string | null,
  ) {}
  get full(): boolean {
    return this.list.length >= this.max;
  }
  add(cls: ViolationClass, point: string, reason: string): void {
    if (!this.full) this.list.push({ class: cls, point, reason, rule: `openapi.${cls}`, operation: this.operation });
  }
}

function headerValues(headers: OpenApiRequest['headers'], name: string): string[] {
  const v = headers[name];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
}

function stripBase(api: CompiledApi, path: string): string | null {
  for (const base of api.basePaths) {
    if (base === '') return path;
    if (path === base) return '/';
    if (path.startsWith(`${base}/`)) return path.slice(base.length);
  }
  return null;
}

export function validateRequest(api: CompiledApi, req: OpenApiRequest, opts: ValidateOptions = {}): Violation[] {
  const max = opts.maxViolations ?? 16;
  const method = req.method.toUpperCase();
  const rest = stripBase(api, req.path);
  if (rest === null) {
    const c = new Collector(max, null);
    c.add('unknown_endpoint', 'path', `path: ${req.path} is not under the API's base path (${api.basePaths.join(', ')})`);
    return c.list;
  }
  const match = api.matcher.match(splitPath(rest));
  if (!match) {
    const c = new Collector(max, null);
    c.add('unknown_endpoint', 'path', `path: ${method} ${req.path} matches no path of the API description`);
    return c.list;
  }
  const op = match.item.get(method) ?? (method === 'HEAD' ? match.item.get('GET') : undefined);
  if (!op) {
    const c = new Collector(max, null);
    c.add('unknown_endpoint', 'method', `method: ${method} is not declared for ${match.template} (declared: ${[...match.item.keys()].join(', ')})`);
    return c.list;
  }
  const c = new Collector(max, op.name);
  checkParams(api, op, req, match.params, c);
  if (!c.full) checkBody(api, op, req, opts.maxBodyBytes ?? 1048576, c);
  return c.list;
}

function runSchema(api: CompiledApi, fn: ValidateFunction, data: unknown, prefix: string, strip: string, base: string): { point: string; reason: string } | null {
  try {
    if (fn(data)) return null;
    const err = pickError((fn.errors ?? []) as ErrorObject[]);
    if (!err) return { point: prefix, reason: `${prefix}: does not match its schema` };
    return describeError(err, prefix, strip, (node) => api.locate(node, base));
  } catch (e) {
    // a recursive schema on absurdly nested input can exhaust the stack
    return { point: prefix, reason: `${prefix}: could not be validated (${(e as Error).message})` };
  }
}

function checkParams(api: CompiledApi, op: CompiledOperation, req: OpenApiRequest, pathParams: Record<string, string>, c: Collector): void {
  const pairs = queryPairs(req.query);
  let cookies: Map<string, string> | null = null;
  for (const p of op.params) {
    if (c.full) return;
    let got: Extracted;
    switch (p.spec.in) {
      case 'query':
        got = fromQuery(p.spec, pairs);
        break;
      case 'path':
        got = fromString(p.spec, pathParams[p.spec.name]);
        break;
      case 'header': {
        const vs = headerValues(req.headers, p.spec.name);
        got = fromString(p.spec, vs.length === 0 ? undefined : vs.join(','));
        break;
      }
      case 'cookie':
        cookies ??= cookiePairs(headerValues(req.headers, 'cookie'));
        got = fromString(p.spec, cookies.get(p.spec.name));
        break;
    }
    if (!got.present) {
      if (p.required) c.add('missing_parameter', p.point, `${p.point}: required parameter is missing (schema ${p.location})`);
      continue;
    }
    if ('error' in got) {
      c.add('invalid_parameter', p.point, `${p.point}: ${got.error} (schema ${p.location})`);
      continue;
    }
    if (!p.validate) continue;
    const bad = runSchema(api, p.validate, { v: got.value }, p.point, '/v', p.schemaLocation);
    if (bad) c.add('invalid_parameter', bad.point, bad.reason);
  }
  for (const name of pairs.keys()) {
    if (c.full) return;
    if (op.queryNames.has(name) || op.queryPrefixes.some((pre) => name.startsWith(pre))) continue;
    c.add('unknown_parameter', `query.${name}`, `query.${name}: not a parameter of ${op.name} (${op.location})`);
  }
}

function pickMedia(media: readonly CompiledMedia[], type: string): CompiledMedia | undefined {
  const slash = type.indexOf('/');
  const wildcard = slash > 0 ? `${type.slice(0, slash)}/*` : '';
  return media.find((m) => m.range === type) ?? media.find((m) => m.range === wildcard) ?? media.find((m) => m.range === '*/*');
}

function bodyText(req: OpenApiRequest, body: Uint8Array, cap: number): string {
  const enc = (headerValues(req.headers, 'content-encoding')[0] ?? '').trim().toLowerCase();
  const bytes = enc === '' || enc === 'identity' ? body : decompress(body, enc, cap).bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function checkBody(api: CompiledApi, op: CompiledOperation, req: OpenApiRequest, cap: number, c: Collector): void {
  const body = req.body && req.body.length > 0 ? req.body : null;
  if (!op.body) {
    if (body) c.add('invalid_body', 'body', `body: ${op.name} takes no request body (${op.location})`);
    return;
  }
  if (!body) {
    if (op.body.required) c.add('invalid_body', 'body', `body: request body is required (schema ${op.body.location})`);
    return;
  }
  const rawType = headerValues(req.headers, 'content-type')[0] ?? '';
  const type = rawType.split(';')[0].trim().toLowerCase();
  const media = pickMedia(op.body.media, type);
  const expected = op.body.media.map((m) => m.range).join(', ');
  if (!media) {
    const what = type === '' ? 'no Content-Type given' : `"${type}" is not accepted`;
    c.add('wrong_content_type', 'header.content-type', `header.content-type: ${what}; ${op.name} takes ${expected} (schema ${op.body.location})`);
    return;
  }
  if (media.kind === 'other' || !media.validate) return;
  let text: string;
  try {
    text = bodyText(req, body, cap);
  } catch (e) {
    c.add('invalid_body', 'body', `body: cannot be decoded (${(e as Error).message})`);
    return;
  }
  if (media.kind === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      c.add('invalid_body', 'body.json', `body.json: not valid JSON (${(e as Error).message})`);
      return;
    }
    const bad = runSchema(api, media.validate, data, 'body.json', '', media.location);
    if (bad) c.add('invalid_body', bad.point, bad.reason);
    return;
  }
  const data = formObject(media, queryPairs(text, 4096), c);
  if (data === null) return;
  const bad = runSchema(api, media.validate, data, 'body.form', '', media.location);
  if (bad) c.add('invalid_body', bad.point, bad.reason);
}

/** Form fields → the object the body schema describes; undeclared fields stay (additionalProperties decides). */
function formObject(media: CompiledMedia, pairs: Map<string, string[]>, c: Collector): Record<string, unknown> | null {
  const obj: Record<string, unknown> = {};
  const consumed = new Set<string>();
  for (const f of media.formFields) {
    const got = fromQuery(f, pairs);
    if (f.style === 'deepObject') for (const n of pairs.keys()) if (n.startsWith(`${f.name}[`)) consumed.add(n);
    if (f.kind === 'object' && f.explode && f.style !== 'deepObject') for (const n of f.properties) consumed.add(n);
    consumed.add(f.name);
    if (!got.present) continue;
    if ('error' in got) {
      c.add('invalid_body', `body.form.${f.name}`, `body.form.${f.name}: ${got.error} (schema ${media.location})`);
      return null;
    }
    obj[f.name] = got.value;
  }
  for (const [name, values] of pairs) if (!consumed.has(name)) obj[name] = values.length === 1 ? values[0] : values;
  return obj;
}
