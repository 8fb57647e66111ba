import type { HttpRequest } from '../../lib/types';
import { readJsonl, SHARED_CORPUS } from './dev-attacks';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string> | null;
  data: string | null;
}

/** Every recorded request of the benign browsing corpus as the inspector would receive it from Kong. */
export function loadBenignBrowsing(file = `${SHARED_CORPUS}/benign-browsing-dev.jsonl.gz`): { request: HttpRequest; label: string }[] {
  return readJsonl<Recorded>(file).map((r) => {
    const q = r.url.indexOf('?');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const data = typeof r.data === 'string' && r.data !== '' ? Buffer.from(r.data, 'utf8') : null;
    const request: HttpRequest = {
      method: r.method,
      path: q < 0 ? r.url : r.url.slice(0, q),
      query: q < 0 ? '' : r.url.slice(q + 1),
      headers,
      body: data,
    };
    return { request, label: `${r.method} ${headers.host ?? ''}${r.url.slice(0, 120)}` };
  });
}
