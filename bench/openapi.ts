/**
 * Cost of api-waf's OpenAPI enforcement and rules, beside plain inspection (lib `inspect`) of the same
 * requests. Run: `npx ts-node-transpile-only bench/openapi.ts` (or `node dist/bench/openapi.js` after
 * `npm run build`); `--quick` for fewer iterations. Measures:
 * - per request (µs, p50/p99): inspect alone; OpenAPI validation alone; inspect + validation, for a 2 KB
 *   JSON POST and a GET with query parameters against a generated ~56-operation document;
 * - exceptions on the verdict and 20 custom rules (on reused points and on a fresh parse);
 * - compile time (instance start) of a 1,000-operation document, cold and from the cache.
 */
import { performance } from 'node:perf_hooks';
import { inspect } from '../lib/inspect';
import { parseRequest } from '../lib/parsers/request';
import { DEFAULT_LIMITS } from '../lib/limits';
import type { HttpRequest } from '../lib/types';
import { clearOpenApiCache, loadOpenApi, type CompiledApi } from '../plugins/api-waf/openapi/compile';
import { validateRequest } from '../plugins/api-waf/openapi/validate';
import { RuleSet } from '../plugins/api-waf/rules/rule-set';
import { generateOpenApi, OPERATIONS_PER_RESOURCE, resourceName, sampleBody } from '../spec/fixtures/openapi/generate';

export interface Timing {
  name: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

export interface OpenApiBenchResult {
  operations: number;
  bodyBytes: number;
  timings: Timing[];
  compile: { operations: number; coldMs: number; cachedMs: number; smallDocColdMs: number };
}

/**
 * Cases run interleaved in rounds (a slice of each case per round), so load from other processes on a
 * shared machine spreads over all cases instead of skewing whichever ran during a busy second.
 */
function timeAll(cases: Array<[string, () => void]>, iterations: number, rounds = 10): Timing[] {
  const samples = cases.map(() => [] as number[]);
  for (const [, fn] of cases) for (let i = 0; i < Math.min(500, iterations); i++) fn(); // warm-up: JIT, lazy Ajv paths
  const per = Math.ceil(iterations / rounds);
  for (let r = 0; r < rounds; r++) {
    cases.forEach(([, fn], c) => {
      for (let i = 0; i < per; i++) {
        const s = performance.now();
        fn();
        samples[c].push((performance.now() - s) * 1000);
      }
    });
  }
  return cases.map(([name], c) => {
    const t = samples[c].sort((a, b) => a - b);
    const at = (q: number): number => t[Math.min(t.length - 1, Math.floor(q * t.length))];
    return { name, p50Us: at(0.5), p99Us: at(0.99), meanUs: t.reduce((a, b) => a + b, 0) / t.length };
  });
}

function load(resources: number): CompiledApi {
  const r = loadOpenApi({ source: { text: JSON.stringify(generateOpenApi(resources)) } });
  if (!r.ok) throw new Error(r.error);
  return r.api;
}

const HEADERS = {
  host: 'api.example.com',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  accept: 'application/json',
  'x-tenant': 'acme-eu',
  cookie: 'sid=6f1e2d3c4b5a69788796a5b4c3d2e1f0',
};

export function runOpenApiBench(opts: { quick?: boolean; print?: boolean } = {}): OpenApiBenchResult {
  const n = opts.quick ? 1000 : 5000;
  const resources = 7;
  const api = load(resources);
  const body = sampleBody(0, 2048);
  const post: HttpRequest = { method: 'POST', path: `/api/${resourceName(0)}`, query: '', headers: { ...HEADERS, 'content-type': 'application/json' }, body: Buffer.from(body) };
  const get: HttpRequest = { method: 'GET', path: `/api/${resourceName(3)}`, query: 'limit=20&offset=40&sort=-created&status=active&status=draft', headers: HEADERS };
  for (const r of [post, get]) {
    const v = validateRequest(api, r);
    if (v.length > 0) throw new Error(`bench request is not valid against the document: ${v[0].reason}`);
  }
  const { ruleSet } = RuleSet.fromConfig({
    exceptions: [{ id: 'e', path: '/api/**', point: 'body.json.items.*.note', attack_types: ['xss'] }],
    custom_rules: Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, path: '/api/**', point: i % 2 ? 'body.json.**' : 'query.*', match: i % 3 ? 'contains' : 're2', value: i % 3 ? `needle-${i}` : `^evil-[0-9]+-${i}$` })),
  });
  const verdict = inspect(post);
  const points = parseRequest(post, DEFAULT_LIMITS).points;

  const timings = timeAll(
    [
      ['POST 2KB JSON: inspect only', () => inspect(post)],
      ['POST 2KB JSON: openapi only', () => validateRequest(api, post)],
      [
        'POST 2KB JSON: inspect + openapi',
        () => {
          inspect(post);
          validateRequest(api, post);
        },
      ],
      ['GET query: inspect only', () => inspect(get)],
      ['GET query: openapi only', () => validateRequest(api, get)],
      [
        'GET query: inspect + openapi',
        () => {
          inspect(get);
          validateRequest(api, get);
        },
      ],
      ['POST: exceptions on verdict', () => ruleSet.exceptVerdict(post, verdict)],
      ['POST: 20 rules, reused points', () => ruleSet.match(post, points)],
      ['POST: 20 rules, fresh parse', () => ruleSet.match(post)],
    ],
    n,
  );

  clearOpenApiCache();
  let s = performance.now();
  load(resources);
  const smallDocColdMs = performance.now() - s;
  const big = generateOpenApi(125);
  const text = JSON.stringify(big);
  s = performance.now();
  const cold = loadOpenApi({ source: { text } });
  const coldMs = performance.now() - s;
  s = performance.now();
  loadOpenApi({ source: { text } });
  const cachedMs = performance.now() - s;
  if (!cold.ok) throw new Error(cold.error);

  const result: OpenApiBenchResult = {
    operations: api.operations,
    bodyBytes: body.length,
    timings,
    compile: { operations: cold.api.operations, coldMs, cachedMs, smallDocColdMs },
  };
  if (opts.print !== false) printOpenApiBench(result, resources * OPERATIONS_PER_RESOURCE);
  return result;
}

export function printOpenApiBench(r: OpenApiBenchResult, expectedOps: number): void {
  const lines = [`openapi + rules (document: ${r.operations} operations${r.operations === expectedOps ? '' : ' (!)'}; body ${r.bodyBytes} bytes)`];
  lines.push(`${'case'.padEnd(36)} ${'p50 µs'.padStart(8)} ${'p99 µs'.padStart(8)} ${'mean µs'.padStart(8)}`);
  for (const t of r.timings) lines.push(`${t.name.padEnd(36)} ${t.p50Us.toFixed(1).padStart(8)} ${t.p99Us.toFixed(1).padStart(8)} ${t.meanUs.toFixed(1).padStart(8)}`);
  lines.push(`compile ${r.operations}-operation document (cold): ${r.compile.smallDocColdMs.toFixed(0)} ms`);
  lines.push(`compile ${r.compile.operations}-operation document: cold ${r.compile.coldMs.toFixed(0)} ms, cached ${r.compile.cachedMs.toFixed(1)} ms (hash + parse); without the feature: 0 ms`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) runOpenApiBench({ quick: process.argv.includes('--quick') });
