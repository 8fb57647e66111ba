/**
 * The `url` shorthand of services (`kong/db/schema/entities/services.lua: shorthand_fields`):
 * `url: http://host:port/path` expands into protocol, host, port and path.
 */
import { MSG } from './schema-messages';

/** socket.url's parse, reduced to what the shorthand reads. */
function parseUrl(url: string): { scheme?: string; host?: string; port?: string; path?: string } {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)/.exec(url);
  if (!m) return {};
  const [, scheme, authority, path] = m;
  let host: string | undefined;
  let port: string | undefined;
  if (authority !== undefined) {
    const hostport = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
    const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
    if (v6) {
      host = v6[1];
      port = v6[2];
    } else {
      const colon = hostport.lastIndexOf(':');
      host = colon >= 0 ? hostport.slice(0, colon) : hostport;
      port = colon >= 0 ? hostport.slice(colon + 1) : undefined;
    }
    if (host === '') host = undefined;
    if (port === '') port = undefined;
  }
  return { scheme, host, port, path: path === '' ? undefined : path };
}

/** Expands `url` in place; returns an error tree entry when `url` is not a string. */
export function expandServiceUrl(data: Record<string, unknown>): Record<string, string> | null {
  if (data.url === undefined) return null;
  const url = data.url;
  delete data.url;
  if (url === null) return null;
  if (typeof url !== 'string') return { url: MSG.STRING };
  const parsed = parseUrl(url);
  const portNum = parsed.port !== undefined && /^\d+$/.test(parsed.port) ? Number(parsed.port) : undefined;
  const implied = portNum === 80 ? 'http' : portNum === 443 ? 'https' : undefined;
  const protocol = parsed.scheme ?? implied ?? 'http';
  data.protocol = protocol;
  data.host = parsed.host ?? null;
  data.port = portNum ?? parsed.port ?? (protocol === 'http' ? 80 : protocol === 'https' ? 443 : 80);
  data.path = parsed.path ?? null;
  return null;
}
