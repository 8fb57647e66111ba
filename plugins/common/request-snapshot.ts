/**
 * Reads request data through the PDK with as few RPC round trips as possible. Every PDK call costs a
 * full round trip (protocol note 4.1), so each piece is fetched at most ONCE per request, lazily,
 * and only when a caller asks for it:
 *
 *   piece        PDK call                          RPCs
 *   headers      kong.request.get_headers(max)     1   (multimap, lower-case names; also gives
 *                                                      content-type/length, cookie, host)
 *   target       kong.request.get_path_with_query  1   (path AND raw query: no get_path/get_query)
 *   method       kong.request.get_method           1
 *   clientIp     kong.client.get_forwarded_ip      1   (honours Kong's trusted_ips/real_ip_header)
 *   rawBody      kong.request.get_raw_body(max)    1   ONLY when the headers announce a body
 *                                                      (content-length > 0 or transfer-encoding);
 *                                                      otherwise 0 RPCs and an empty body
 *
 * So `readAll()` costs 4 RPCs for a request without a body and 5 with one; key-auth-ext's success
 * path needs 2 (headers, client IP) when the key is in a header. The query is parsed here
 * (like ngx.req.get_uri_args: `+` is a space, `%XX` decoded, `?flag` has no value) to avoid a
 * separate get_query call.
 */
import { asMultiMap, type HeaderMap, type Kong } from './pdk';

export interface SnapshotOptions {
  /** Headers to fetch, 1..1000 (Kong's default is 100). Default 200. */
  maxHeaders?: number;
  /** Largest body read (also passed to get_raw_body as the buffered-file limit). Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface QueryArg {
  name: string;
  /** undefined for a flag argument (`?debug`). */
  value: string | undefined;
}

export interface RequestData {
  method: string;
  /** Path without query (as received, not decoded). */
  path: string;
  rawQuery: string;
  headers: HeaderMap;
  clientIp: string;
  body: Uint8Array;
}

/** Percent-decoding that never throws (bad escapes are kept literally), `+` as space when asked. */
export function safeDecode(text: string, plusAsSpace = true): string {
  const s = plusAsSpace && text.indexOf('+') >= 0 ? text.split('+').join(' ') : text;
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    let out = '';
    const bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length) {
        out += Buffer.from(bytes).toString('utf8');
        bytes.length = 0;
      }
    };
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
        bytes.push(parseInt(s.substr(i + 1, 2), 16));
        i += 2;
      } else {
        flush();
        out += s[i];
      }
    }
    flush();
    return out;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Parses a raw query / form body into ordered arguments (at most `maxArgs`, like Kong's 100). */
export function parseQueryString(raw: string, maxArgs = 100): QueryArg[] {
  const out: QueryArg[] = [];
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (out.length >= maxArgs) break;
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === 0) continue; // "=value" has no name: ignored like nginx
    if (eq < 0) out.push({ name: safeDecode(part), value: undefined });
    else out.push({ name: safeDecode(part.slice(0, eq)), value: safeDecode(part.slice(eq + 1)) });
  }
  return out;
}

/** Parses a Cookie header value into name → values (cookie names are case-sensitive). */
export function parseCookies(headerValues: readonly string[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const header of headerValues ?? []) {
    for (const piece of header.split(';')) {
      const eq = piece.indexOf('=');
      if (eq <= 0) continue;
      const name = piece.slice(0, eq).trim();
      let value = piece.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!name) continue;
      const list = out.get(name);
      if (list) list.push(value);
      else out.set(name, [value]);
    }
  }
  return out;
}

export function firstHeader(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : typeof v === 'string' ? v : undefined;
}

/** True when the headers announce a request body (so get_raw_body is worth a round trip). */
export function announcesBody(headers: HeaderMap): boolean {
  const te = firstHeader(headers, 'transfer-encoding');
  if (te !== undefined && te !== '') return true;
  const len = firstHeader(headers, 'content-length');
  return len !== undefined && len.trim() !== '' && len.trim() !== '0';
}

/** Lazily fetched, memoised request data for one handler run. Create one per request. */
export class RequestSnapshot {
  private headersP?: Promise<HeaderMap>;
  private targetP?: Promise<{ path: string; rawQuery: string }>;
  private methodP?: Promise<string>;
  private ipP?: Promise<string>;
  private bodyP?: Promise<Uint8Array>;
  private queryArgs?: QueryArg[];
  /** Number of PDK calls this snapshot made (for tests and benchmarks). */
  rpcCount = 0;
  readonly maxHeaders: number;
  readonly maxBodyBytes: number;

  constructor(
    private readonly kong: Kong,
    opts: SnapshotOptions = {},
  ) {
    this.maxHeaders = Math.min(1000, Math.max(1, opts.maxHeaders ?? 200));
    this.maxBodyBytes = Math.max(1, opts.maxBodyBytes ?? 1024 * 1024);
  }

  headers(): Promise<HeaderMap> {
    if (!this.headersP) {
      this.rpcCount++;
      this.headersP = this.kong.request.getHeaders(this.maxHeaders).then((h) => normalizeHeaders(asMultiMap(h)));
    }
    return this.headersP;
  }

  private target(): Promise<{ path: string; rawQuery: string }> {
    if (!this.targetP) {
      this.rpcCount++;
      this.targetP = this.kong.request.getPathWithQuery().then((pq) => {
        const s = typeof pq === 'string' ? pq : '';
        const q = s.indexOf('?');
        return q < 0 ? { path: s, rawQuery: '' } : { path: s.slice(0, q), rawQuery: s.slice(q + 1) };
      });
    }
    return this.targetP;
  }

  async path(): Promise<string> {
    return (await this.target()).path;
  }

  async rawQuery(): Promise<string> {
    return (await this.target()).rawQuery;
  }

  async query(): Promise<QueryArg[]> {
    if (!this.queryArgs) this.queryArgs = parseQueryString(await this.rawQuery());
    return this.queryArgs;
  }

  method(): Promise<string> {
    if (!this.methodP) {
      this.rpcCount++;
      this.methodP = this.kong.request.getMethod().then((m) => (typeof m === 'string' ? m : ''));
    }
    return this.methodP;
  }

  clientIp(): Promise<string> {
    if (!this.ipP) {
      this.rpcCount++;
      this.ipP = this.kong.client.getForwardedIp().then((ip) => (typeof ip === 'string' ? ip : ''));
    }
    return this.ipP;
  }

  /**
   * The raw body; empty when none is announced. A body announced larger than `maxBodyBytes` is not
   * fetched (empty, `bodyTooLarge` set); one Kong cannot return reads empty with `bodyUnreadable`.
   */
  rawBody(): Promise<Uint8Array> {
    if (!this.bodyP) {
      this.bodyP = this.headers().then(async (h) => {
        if (!announcesBody(h)) return new Uint8Array(0);
        const len = Number(firstHeader(h, 'content-length'));
        if (Number.isFinite(len) && len > this.maxBodyBytes) {
          this.bodyTooLarge = true;
          return new Uint8Array(0);
        }
        this.rpcCount++;
        const body = await this.kong.request.getRawBody(this.maxBodyBytes);
        if (body instanceof Uint8Array) return body;
        if (typeof body === 'string') return Buffer.from(body, 'utf8');
        // undefined: Kong could not read it (nil, err). Treated as empty; `bodyUnreadable` tells.
        this.bodyUnreadable = true;
        return new Uint8Array(0);
      });
    }
    return this.bodyP;
  }

  bodyTooLarge = false;
  bodyUnreadable = false;

  private requestIdP?: Promise<string>;

  /** Kong's request id (`$kong_request_id`, Kong 3.5+; "" before). 1 RPC, only when asked. */
  requestId(): Promise<string> {
    if (!this.requestIdP) {
      this.rpcCount++;
      this.requestIdP = this.kong.nginx.getVar('kong_request_id').then(
        (v) => (typeof v === 'string' ? v : ''),
        () => '',
      );
    }
    return this.requestIdP;
  }

  /** Everything at once: 4 RPCs without a body, 5 with one. */
  async readAll(): Promise<RequestData> {
    const headers = await this.headers();
    const method = await this.method();
    const target = await this.target();
    const clientIp = await this.clientIp();
    const body = await this.rawBody();
    return { method, path: target.path, rawQuery: target.rawQuery, headers, clientIp, body };
  }
}

/** Header names lower-cased; a single string value (some fakes/drivers) becomes a one-element array. */
function normalizeHeaders(h: HeaderMap): HeaderMap {
  // Null prototype: header names are attacker-chosen ("__proto__", "constructor").
  const out: HeaderMap = Object.create(null) as HeaderMap;
  for (const [k, v] of Object.entries(h)) {
    const name = k.toLowerCase();
    const values = Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];
    out[name] = out[name] ? out[name].concat(values) : values;
  }
  return out;
}
