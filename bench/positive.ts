/**
 * Positive security costs (issue #11), each beside the same requests without the feature:
 *  - OpenAPI: validation per request against a 56-operation document and compile time for 1,000 operations
 *    (bench/openapi.ts);
 *  - API discovery: `observe()` per request on top of `inspect()`, for typical API requests.
 */
import { performance } from 'node:perf_hooks';
import { inspect } from '../lib';
import type { HttpRequest } from '../lib/types';
import { Inventory } from '../plugins/api-waf/discovery/inventory';
import { runOpenApiBench } from './openapi';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function typicalRequests(): HttpRequest[] {
  const out: HttpRequest[] = [];
  for (let i = 0; i < 200; i++) {
    out.push({ method: 'GET', path: `/v2/users/${1000 + i}/orders`, query: `page=${i % 7}&sort=date&active=true`, headers: { host: 'api.example', accept: 'application/json', 'x-tenant': 'acme' } });
    const body = JSON.stringify({ customer: { id: i, email: `user${i}@example.com` }, items: [{ sku: `sku-${i}`, qty: 1 + (i % 3), note: 'gift wrap please' }], total: 19.9 + i });
    out.push({ method: 'POST', path: '/v2/orders', query: '', headers: { host: 'api.example', 'content-type': 'application/json', 'content-length': String(body.length) }, body: Buffer.from(body) });
  }
  return out;
}

/** µs per request, p50/p99, of `fn` over the requests, after a warm-up round. */
function time(requests: HttpRequest[], rounds: number, fn: (r: HttpRequest) => void): { p50: number; p99: number } {
  for (const r of requests) fn(r);
  const samples: number[] = [];
  for (let k = 0; k < rounds; k++) {
    for (const r of requests) {
      const t = performance.now();
      fn(r);
      samples.push((performance.now() - t) * 1000);
    }
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

export function runPositiveSecurityBench(opts: { quick?: boolean } = {}): string {
  const out = (l: string): void => void process.stdout.write(`${l}\n`);
  runOpenApiBench({ quick: opts.quick, print: true });
  const requests = typicalRequests();
  const rounds = opts.quick ? 3 : 10;
  const inventory = new Inventory();
  const base = time(requests, rounds, (r) => inspect(r));
  const withDiscovery = time(requests, rounds, (r) => {
    const v = inspect(r);
    if (!v.attack) inventory.observe({ request: r, routeId: 'bench' });
  });
  out('\nAPI discovery overhead (typical API GET + 2 KB-ish JSON POST, µs per request)');
  out(`  inspect only          p50 ${base.p50.toFixed(1)}  p99 ${base.p99.toFixed(1)}`);
  out(`  inspect + discovery   p50 ${withDiscovery.p50.toFixed(1)}  p99 ${withDiscovery.p99.toFixed(1)}   (+${(withDiscovery.p50 - base.p50).toFixed(1)} µs p50)`);
  out(`  inventory: ${inventory.endpointCount} endpoints from ${requests.length} distinct request shapes (ids collapsed)`);
  return `discovery +${(withDiscovery.p50 - base.p50).toFixed(1)} µs p50`;
}

if (require.main === module) runPositiveSecurityBench({ quick: process.argv.includes('--quick') });
