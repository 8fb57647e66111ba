/** Request builders for discovery tests and the bench (no Kong). */
import type { HttpRequest } from '../../../lib/types';

export function req(method: string, target: string, opts: { headers?: Record<string, string>; json?: unknown; form?: string } = {}): HttpRequest {
  const q = target.indexOf('?');
  const headers: Record<string, string> = { host: 'api.example.test', 'user-agent': 'test', accept: '*/*', ...opts.headers };
  let body: Uint8Array | null = null;
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    headers['content-type'] ??= 'application/json';
  } else if (opts.form !== undefined) {
    body = Buffer.from(opts.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  if (body) headers['content-length'] = String(body.length);
  return { method, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1), headers, body };
}
