/**
 * observe() cost, warm: `npm run build && node dist/plugins/api-waf/discovery/bench.js`. Feeds the benign
 * browsing dev corpus (when present) and two typical API requests through a fresh Inventory, three rounds.
 */
import fs from 'node:fs';
import nodeFs from 'node:fs';
import nodePath from 'node:path';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { HttpRequest } from '../../../lib/types';
import { Inventory } from './inventory';
import { req } from './testing';

const CORPUS = [process.env.KAS_CORPUS_DIR ?? '', nodePath.resolve(__dirname, '../../../../shared/corpus'), nodePath.resolve(__dirname, '../../../../../shared/corpus'), '/work/shared/corpus']
  .map((d: string) => `${d}/benign-browsing-dev.jsonl.gz`)
  .find((f: string) => nodeFs.existsSync(f)) ?? '/work/shared/corpus/benign-browsing-dev.jsonl.gz';

function corpus(): { host: string; request: HttpRequest }[] {
  if (!fs.existsSync(CORPUS)) return [];
  return gunzipSync(fs.readFileSync(CORPUS)).toString('utf8').split('\n').filter(Boolean).slice(0, 5000).map((line) => {
    const c = JSON.parse(line) as { method: string; url: string; headers: Record<string, string>; data: string };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = v;
    const q = c.url.indexOf('?');
    return { host: headers.host ?? '', request: { method: c.method, path: q < 0 ? c.url : c.url.slice(0, q), query: q < 0 ? '' : c.url.slice(q + 1), headers, body: c.data ? Buffer.from(c.data) : null } };
  });
}

const api = [
  req('GET', '/v2/users/1234?page=2&active=true&sort=name', { headers: { authorization: 'Bearer abc.def.ghi', 'x-tenant': 'acme' } }),
  req('POST', '/v2/payments', { json: { customer: { email: 'a@b.example', iban: 'GB82 WEST 1234 5698 7654 32' }, card: { number: '4111111111111111' }, amount: 10, items: [{ sku: 'x', qty: 1 }] } }),
];
const reqs = corpus();
for (const round of [1, 2, 3]) {
  const inv = new Inventory();
  let line = `round ${round}:`;
  if (reqs.length > 0) {
    const t = performance.now();
    for (const { host, request } of reqs) inv.observe({ request, routeId: host.slice(0, 64) });
    line += ` corpus ${(((performance.now() - t) * 1000) / reqs.length).toFixed(1)} µs/request (${reqs.length} requests, ${inv.endpointCount} endpoints);`;
  }
  const n = 20_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) inv.observe({ request: api[i & 1], routeId: 'api' });
  line += ` API ${(((performance.now() - t) * 1000) / n).toFixed(1)} µs/request`;
  console.log(line);
}
