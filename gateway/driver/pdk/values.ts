/**
 * How Kong's Lua values reach the plugin server (`rpc/mp_rpc.lua` + lua-MessagePack, protocol §2.2,
 * §2.5): nil is "no Data", an empty table is an empty ARRAY, header/query maps go through `fix_mmap`
 * (every value a list of strings, `true` -> [], empty map -> {}), raw bodies through `fix_raw` (bin).
 */

/** A Lua `error()` raised inside an emulated PDK function: the event is abandoned, the phase fails. */
export class LuaError extends Error {
  override name = 'LuaError';
}

/** Converts a JS value returned by an emulated PDK function into what Kong would pack. */
export function toLuaValue(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return undefined;
  if (depth > 64) return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (Array.isArray(value)) return value.map((v) => toLuaValue(v, depth + 1) ?? null);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    if (entries.length === 0) return [];
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = toLuaValue(v, depth + 1);
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return undefined;
  return value;
}

/** `fix_mmap`: a header/query table as a map of string lists; an empty one as an empty MAP. */
export function fixMultiMap(table: Record<string, string | string[] | true> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!table) return out;
  for (const [k, v] of Object.entries(table)) {
    if (v === true) out[k] = [];
    else if (typeof v === 'string') out[k] = [v];
    else out[k] = v.map((x) => (x === (true as unknown) ? '' : String(x)));
  }
  return out;
}

/** `fix_raw`: raw bodies as msgpack bin. A nil body makes the packer fail with a Lua error. */
export function fixRaw(body: Buffer | string | undefined): Uint8Array {
  if (body === undefined) throw new LuaError("attempt to get length of local 'bin' (a nil value)");
  return typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
}

/** ngx.req.get_uri_args: `a=b` -> "b", `a` -> true, `a=` -> "", repeated -> list; at most `max` args. */
export function parseQueryArgs(raw: string, max = 100): Record<string, string | true | Array<string | true>> {
  const out: Record<string, string | true | Array<string | true>> = {};
  if (raw === '') return out;
  let n = 0;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    if (max > 0 && n >= max) break;
    n++;
    const eq = part.indexOf('=');
    const key = unescapeUri(eq < 0 ? part : part.slice(0, eq));
    if (key === '') continue;
    const value: string | true = eq < 0 ? true : unescapeUri(part.slice(eq + 1));
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** ngx.unescape_uri: `+` is a space, bad escapes are kept as they are. */
export function unescapeUri(s: string): string {
  const withSpaces = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(withSpaces);
  } catch {
    return withSpaces.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** ngx.encode_args for a Lua table of args (kong.service.request.set_query). */
export function encodeArgs(args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of Object.keys(args).sort()) {
    const value = args[key];
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (v === true) parts.push(encodeURIComponent(key));
      else if (v === false || v === undefined || v === null) continue;
      else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.join('&');
}
