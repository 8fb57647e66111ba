/**
 * `npm run bench` (= build, then `node dist/bench/run.js`): the three benchmarks in order, each guarded
 * so a failing section is reported and the others still run:
 *   1. lib        — detection library, per-request inspection time (bench/lib.ts: runLibBench)
 *   2. gateway    — full path through the local gateway and the real pluginserver, api-waf vs no plugin
 *                   (bench/gateway.ts: runGatewayBench)
 *   3. positive   — OpenAPI validation and compile time, API-discovery overhead (bench/positive.ts)
 *   4. collector  — ingest throughput and dashboard queries over a large store (bench/collector.ts:
 *                   runCollectorBench; bulk load capped at 180 s here to keep the whole run near 10 min)
 * Flags: --only lib|gateway|positive|collector (repeatable or comma-separated), --quick (smaller counts).
 * Exit code 1 when a section failed. The memory soak is separate: `npm run soak` (bench/soak.ts).
 */
import { performance } from 'node:perf_hooks';
import { runCollectorBench } from './collector';
import { runGatewayBench } from './gateway';
import { runLibBench } from './lib';
import { runPositiveSecurityBench } from './positive';

type Section = 'lib' | 'gateway' | 'positive' | 'collector';
const SECTIONS: Section[] = ['lib', 'gateway', 'positive', 'collector'];

function parseOnly(argv: string[]): Section[] {
  const picked = new Set<Section>();
  argv.forEach((a, i) => {
    const value = a === '--only' ? argv[i + 1] : a.startsWith('--only=') ? a.slice(7) : null;
    for (const s of (value ?? '').split(',').filter(Boolean)) {
      if (!SECTIONS.includes(s as Section)) throw new Error(`--only ${s}: expected one of ${SECTIONS.join('|')}`);
      picked.add(s as Section);
    }
  });
  return picked.size === 0 ? SECTIONS : SECTIONS.filter((s) => picked.has(s));
}

export async function runAll(argv: string[]): Promise<{ failed: Section[] }> {
  const out = (l: string): void => void process.stdout.write(`${l}\n`);
  const quick = argv.includes('--quick');
  const only = parseOnly(argv);
  const failed: Section[] = [];
  const summary: string[] = [];
  const runners: Record<Section, () => Promise<unknown>> = {
    lib: async () => runLibBench({ quick }),
    gateway: async () => runGatewayBench(quick ? { requests: 300, warmup: 100 } : {}),
    positive: async () => runPositiveSecurityBench({ quick }),
    collector: async () => runCollectorBench(quick ? { events: 50_000, budgetSeconds: 30 } : { budgetSeconds: 180 }),
  };
  for (const section of only) {
    out(`\n=== ${section} ===`);
    const started = performance.now();
    try {
      const result = await runners[section]();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (typeof result === 'string') out(result);
      summary.push(`${section}: ${typeof result === 'string' ? result : 'ok'} (${seconds} s)`);
    } catch (err) {
      failed.push(section);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(`${section} FAILED: ${(err as Error).stack ?? String(err)}`);
      summary.push(`${section}: FAILED after ${seconds} s: ${(err as Error).message}`);
    }
  }
  out(`\n=== summary ===\n${summary.join('\n')}`);
  return { failed };
}

if (require.main === module) {
  runAll(process.argv.slice(2)).then(
    ({ failed }) => process.exit(failed.length > 0 ? 1 : 0),
    (err: Error) => {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exit(2);
    },
  );
}
