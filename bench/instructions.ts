/**
 * Instructions per inspected request, counted by valgrind (callgrind): `npm run bench:instructions
 * [-- --cases <name part>]` after `npm run build`. Wall-clock percentiles on a shared 2-core VM move by 2×
 * between runs a few minutes apart (see the jitter reference of bench/lib.ts); an instruction count is
 * the same on every run, so it is how two versions of the library are compared. It is not a time: a
 * request's microseconds also depend on caches, branch prediction and the machine's clock.
 *
 * Method: the same steady-state loop is run twice under callgrind, with N1 and N2 requests, in parallel
 * (one per core); (I(N2) − I(N1)) / (N2 − N1) removes start-up, module loading and JIT warm-up. V8 runs
 * single-threaded (--single-threaded) so that compilation happens on the counted thread in a fixed order.
 * Garbage collection is counted too, and that is where runs differ: whether a full mark-compact falls
 * inside the window varies from run to run (seeds, address layout), and for a small request one such GC
 * is a large share of the difference. Seen for the GET case: 43 k to 68 k per request with a 5 000-request
 * window, 52–55 k with 20 000. So requests that count under SMALL instructions are counted again over a
 * window of LONG_WINDOW requests, which spreads GC over more requests. Not part of CI: each case takes a
 * minute or two.
 */
import { execFile } from 'node:child_process';
import { inspect } from '../lib/inspect';
import { typicalRequests } from './lib';

const N1 = 2000;
const N2 = 7000;
/** Below this many instructions per request, the count is taken again over LONG_WINDOW requests. */
const SMALL = 200_000;
const LONG_WINDOW = 20_000;
const NODE_FLAGS = ['--single-threaded', '--min-semi-space-size=16', '--max-semi-space-size=16'];

function child(name: string, n: number): void {
  const c = typicalRequests().find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case ${name}`);
  for (let i = 0; i < n; i++) inspect(c.request);
}

function count(name: string, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, __filename, '--child', name, String(n)], { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      const m = /Collected\s*:\s*(\d+)/.exec(stderr);
      if (err !== null || m === null) reject(new Error(`valgrind failed for ${name} (${n}): ${err?.message ?? stderr.slice(-500)}`));
      else resolve(Number(m[1]));
    });
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--cases');
  const filter = at > 0 ? process.argv[at + 1].toLowerCase() : null;
  console.log(`lib inspection, instructions per request (callgrind; (I(${N2}) − I(${N1})) / ${N2 - N1}, or over ${LONG_WINDOW} requests below ${SMALL}; node ${NODE_FLAGS.join(' ')})`);
  for (const { name } of typicalRequests()) {
    if (filter !== null && !name.toLowerCase().includes(filter)) continue;
    const [a, b] = await Promise.all([count(name, N1), count(name, N2)]);
    let perRequest = (b - a) / (N2 - N1);
    let window = N2 - N1;
    if (perRequest < SMALL) {
      const [c, d] = await Promise.all([count(name, N1), count(name, N1 + LONG_WINDOW)]);
      perRequest = (d - c) / LONG_WINDOW;
      window = LONG_WINDOW;
    }
    console.log(`${name.padEnd(28)} ${String(Math.round(perRequest)).padStart(9)}  (window ${window})`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
