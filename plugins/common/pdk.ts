/**
 * The part of Kong's PDK our plugins use, typed the way it REALLY behaves when called from
 * kong-js-pluginserver (kong-pdk 0.6.0) against Kong 3.x. See /work/shared/kong-pluginserver-protocol.md
 * (sections 2.4-2.6, 3.4, 3.5). kong-pdk's own .d.ts files are wrong in the places that matter
 * (tuple returns, `exit(body: Buffer)`), so plugins import this interface instead.
 *
 * Rules every caller must know:
 * - Every call is ONE RPC round trip (about 80 µs locally, more under load); nothing is batched,
 *   and `Promise.all` does not overlap calls. Fetch aggregates (`getHeaders`) once.
 * - Kong 3.x answers with the FIRST Lua return value only. Lua `nil` arrives as `undefined`, and a
 *   `nil, err` failure also arrives as plain `undefined` (no rejection). So every "may fail" result
 *   is typed `T | undefined`.
 * - An empty Lua table arrives as `[]` (even where a map is expected), e.g. an empty query.
 * - Header and query maps arrive as `Record<string, string[]>`: each value is an array of
 *   strings (a flag query arg `?flag` is `[]`). Header names are lower-case.
 * - Raw bodies arrive as `Uint8Array` (msgpack bin), not strings.
 * - `kong.response.exit`/`error` are NEVER answered by Kong: the JS side resolves at once. Write
 *   `return kong.response.exit(...)` and make no further PDK call in that handler (it would never
 *   complete in real Kong).
 * - Never `await`/`return` a namespace object (`await kong.request`): the Proxy has a `then`,
 *   so awaiting it sends a bogus RPC and the request fails open.
 * - Never pass `undefined`/`null` before a later argument: holes collapse in Kong's unpacking.
 * - A Lua `error()` inside a PDK function (wrong phase, bad argument) aborts the event and
 *   gives HTTP 500 in access; the JS promise then never settles.
 * - Method names are camelCase here and converted by kong-pdk (`getHeader` → `get_header`);
 *   names with digits or consecutive capitals convert wrongly, so none are used.
 */

/** `kong.client.load_consumer` / `get_consumer` result (Kong `consumers` entity; nulls are dropped). */
export interface KongConsumer {
  id: string;
  username?: string;
  custom_id?: string;
  created_at?: number;
  tags?: string[];
  [field: string]: unknown;
}

/** A credential passed to `authenticate` / returned by `get_credential`. Any table works for Kong. */
export interface KongCredential {
  id?: string;
  consumer?: { id: string };
  [field: string]: unknown;
}

/** `kong.router.get_route()` result (nulls dropped). */
export interface KongRoute {
  id: string;
  name?: string;
  paths?: string[];
  [field: string]: unknown;
}

export interface KongService {
  id: string;
  name?: string;
  host?: string;
  [field: string]: unknown;
}

export type HeaderMap = Record<string, string[]>;
/** Kong sends an empty table as an array, so an empty map may arrive as `[]`. */
export type MaybeEmptyMap = HeaderMap | [];

/** A body for `exit`: a string is sent as-is, an object is JSON-encoded with a JSON content type. */
export type ExitBody = string | Record<string, unknown>;

export interface KongRequest {
  /** "GET", "POST", ... */
  getMethod(): Promise<string>;
  /** Normalised path (no query), e.g. "/v1/orders". */
  getPath(): Promise<string>;
  /** Path plus "?query" exactly as received (query not decoded), e.g. "/v1/orders?id=1". */
  getPathWithQuery(): Promise<string>;
  /** Raw query string without "?" ("" when none). */
  getRawQuery(): Promise<string>;
  /** First value of a header, `undefined` when absent. Name is case-insensitive. */
  getHeader(name: string): Promise<string | undefined>;
  /** All headers (lower-cased names, values as string arrays). `max` 1..1000, default 100 headers. */
  getHeaders(max?: number): Promise<MaybeEmptyMap>;
  /** Decoded query args; a flag arg (`?a`) is `[]`. `max` default 100 args. */
  getQuery(max?: number): Promise<MaybeEmptyMap>;
  /**
   * The raw body (an empty Uint8Array when there is none). `maxFileSize` must be given
   * (> 0) so a body buffered to disk can be read; if the body is larger (or it is not given and
   * the body was buffered to disk) Kong's `nil, err` makes the reply un-packable → Lua error → 500.
   */
  getRawBody(maxFileSize: number): Promise<Uint8Array | undefined>;
  getHost(): Promise<string>;
  getScheme(): Promise<string>;
  getHttpVersion(): Promise<number>;
}

export interface KongClient {
  /** The TCP peer address. */
  getIp(): Promise<string>;
  /** The client address after Kong's `trusted_ips`/`real_ip_header` processing. */
  getForwardedIp(): Promise<string>;
  /**
   * Loads a consumer by UUID, or by username when `searchByUsername` is true. `undefined` when
   * not found (and on DB error). Kong raises a Lua error (→ 500) for a non-UUID without the flag.
   */
  loadConsumer(idOrUsername: string, searchByUsername: true): Promise<KongConsumer | undefined>;
  getConsumer(): Promise<KongConsumer | undefined>;
  getCredential(): Promise<KongCredential | undefined>;
  /** Access phase only. Pass the consumer alone (not `undefined` as second arg) for anonymous. */
  authenticate(consumer: KongConsumer, credential?: KongCredential): Promise<undefined>;
}

export interface KongResponse {
  /** Never answered; see the module comment. */
  exit(status: number, body?: ExitBody, headers?: Record<string, string | string[]>): Promise<undefined>;
  /** Never answered. Body from Kong's error template: `{"message":…, "request_id":…}` in JSON. */
  error(status: number, message?: string, headers?: Record<string, string | string[]>): Promise<undefined>;
  setHeader(name: string, value: string): Promise<undefined>;
  getStatus(): Promise<number>;
}

export interface KongServiceRequest {
  setHeader(name: string, value: string): Promise<undefined>;
  /** Sets several headers in ONE call (values: string or string[]). */
  setHeaders(headers: Record<string, string | string[]>): Promise<undefined>;
  clearHeader(name: string): Promise<undefined>;
  /** Removes one query arg from the upstream request (Kong 3.x). */
  clearQueryArg(name: string): Promise<undefined>;
  setRawQuery(query: string): Promise<undefined>;
  /** Replaces the upstream body (Kong updates Content-Length). */
  setRawBody(body: string): Promise<undefined>;
}

export interface KongLog {
  err(...message: unknown[]): Promise<undefined>;
  warn(...message: unknown[]): Promise<undefined>;
  notice(...message: unknown[]): Promise<undefined>;
  info(...message: unknown[]): Promise<undefined>;
  debug(...message: unknown[]): Promise<undefined>;
  /** A JSON STRING (Kong's plugin-server override), usable in the log phase. */
  serialize(): Promise<string>;
}

export interface KongCtxShared {
  /** Values must be msgpack-encodable; read back as the first return value. */
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<undefined>;
}

export interface KongNginx {
  /** `ngx.var[name]`; e.g. `kong_request_id` (Kong 3.5+). `undefined` when unset. */
  getVar(name: string): Promise<string | undefined>;
  getCtx(key: string): Promise<unknown>;
  setCtx(key: string, value: unknown): Promise<undefined>;
}

export interface KongNode {
  getId(): Promise<string>;
  getHostname(): Promise<string>;
}

export interface KongRouter {
  getRoute(): Promise<KongRoute | undefined>;
  getService(): Promise<KongService | undefined>;
}

export interface KongPlugin {
  getId(): Promise<string>;
}

/** The `kong` object a phase handler receives: `async access(kong: Kong)`. */
export interface Kong {
  request: KongRequest;
  client: KongClient;
  response: KongResponse;
  service: { request: KongServiceRequest };
  log: KongLog;
  ctx: { shared: KongCtxShared };
  nginx: KongNginx;
  node: KongNode;
  router: KongRouter;
  plugin: KongPlugin;
}

/** Normalises a header/query multimap: Kong sends an empty map as `[]`. */
export function asMultiMap(value: unknown): HeaderMap {
  if (value === null || value === undefined || Array.isArray(value) || typeof value !== 'object') return {};
  return value as HeaderMap;
}

/** Kong's extra config keys, present in every instance's config (absent ones omitted). */
export interface KongInstanceKeys {
  route_id?: string;
  service_id?: string;
  consumer_id?: string;
  plugin_instance_name?: string;
  __plugin_id?: string;
  __ws_id?: string;
  __key__?: string;
  __seq__?: number;
}
