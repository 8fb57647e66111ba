/**
 * Memory bounds of the api-waf pluginserver (issue #8), at the driver level against the REAL server
 * (spec/gateway/waf-driver.ts): the numbers come from the server's diagnostic RPC
 * (`plugin.ShieldDiagnostics`: kong-pdk's events/instances maps, V8 heap after a forced GC, and the
 * `shieldDiagnostics()` of plugins/common modules).
 *  - blocked requests leave no open event with the leak fix, and one per request without it (so this
 *    test fails when the fix is missing);
 *  - the reporter queue stays at its cap while the collector is unreachable, the rest is dropped and
 *    counted; the greylist store never exceeds its cap;
 *  - a config change (new instance, old one closed) frees the old instance: after 150 changes the
 *    server holds one instance per simulated worker and the retained heap does not grow with them.
 * Needs `npm run build` (the server loads dist/kong-plugins/api-waf).
 */
import { closedPort, poolIp, startWafDriver, type WafDriver } from '../gateway/waf-driver';

jest.setTimeout(120_000);

const MB = 1024 * 1024;
const GC_ENV = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() };


async function drive(waf: WafDriver, blocked: number, benign: number, concurrency = 4): Promise<{ statuses: Record<number, number> }> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const total = blocked + benign;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        const { status } = await waf.access(n < blocked ? 'blocked' : 'benign', n, poolIp(n, 256));
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { statuses };
}

interface ReporterDiag {
  queued: number;
  counters: { enqueued: number };
  dropped: Record<string, number>;
}
interface StoreDiag {
  local: { counters: number; distinct: number; bans: number; maxEntries: number };
}

describe('open events: the leak fix', () => {
  for (const leakFix of [true, false]) {
    test(`${leakFix ? 'with' : 'WITHOUT'} the fix, 600 blocked + 200 benign requests leave ${leakFix ? 'no open event' : 'one open event per blocked request'}`, async () => {
      const waf = await startWafDriver({ entry: leakFix ? 'fixed' : 'fixed-no-leak-fix', config: { mode: 'block' } });
      try {
        const { statuses } = await drive(waf, 600, 200);
        expect(statuses).toEqual({ 200: 200, 403: 600 });
        const diag = await waf.diagnostics();
        expect(diag.leakFix).toBe(leakFix);
        expect(diag.events).toBe(leakFix ? 0 : 600);
      } finally {
        await waf.stop();
      }
    });
  }
});

test('reporter queue and greylist store stay within their caps; the collector being down drops and counts', async () => {
  const port = await closedPort();
  const waf = await startWafDriver({
    env: GC_ENV,
    config: {
      mode: 'block',
      greylisting: { enabled: true, threshold: 3, policy: 'local' },
      reporting: { collector_url: `http://127.0.0.1:${port}`, token: 't', batch_size: 10, flush_interval_ms: 50, queue_size: 50 },
    },
  });
  try {
    const { statuses } = await drive(waf, 400, 0);
    expect(statuses).toEqual({ 403: 400 });
    const diag = await waf.diagnostics(true);
    const reporters = diag.modules.reporter as ReporterDiag[];
    expect(reporters).toHaveLength(1);
    const [rep] = reporters;
    expect(rep.queued).toBeLessThanOrEqual(50);
    // every event is either still queued or counted as dropped: nothing vanishes silently
    const dropped = Object.values(rep.dropped).reduce((a, b) => a + b, 0);
    expect(rep.queued + dropped).toBe(400);
    const store = (diag.modules['window-counter'] as StoreDiag).local;
    expect(store.distinct + store.bans).toBeGreaterThan(0);
    expect(store.distinct).toBeLessThanOrEqual(256); // 256 client IPs used
    expect(Math.max(store.distinct, store.bans, store.counters)).toBeLessThanOrEqual(store.maxEntries);
    process.stdout.write(
      `bounded state after 400 blocked requests, collector down: reporter queued=${rep.queued} (cap 50) dropped=${JSON.stringify(rep.dropped)}; ` +
        `greylist store distinct=${store.distinct} bans=${store.bans} (cap ${store.maxEntries}); heap ${(diag.heapUsedBytes / MB).toFixed(1)} MB\n`,
    );
  } finally {
    await waf.stop();
  }
});

test('config changes: the old instance is closed and its state freed', async () => {
  const waf = await startWafDriver({ env: GC_ENV, workers: 2, config: { mode: 'block', application_id: 'cfg-0' } });
  try {
    const change = async (i: number): Promise<void> => {
      // a different config each time, with some weight (lists are parsed into CIDR sets per instance)
      const deny = Array.from({ length: 200 }, (_, k) => `198.51.${k % 256}.${i % 256}`);
      waf.reconfigure({ mode: 'block', application_id: `cfg-${i}`, ip_lists: { deny } });
      // one request per simulated worker, so each worker starts its new instance and closes its old one
      expect((await waf.access('blocked', i)).status).toBe(403);
      expect((await waf.access('benign', i)).status).toBe(200);
    };
    for (let i = 1; i <= 20; i++) await change(i);
    const early = await waf.diagnostics(true);
    for (let i = 21; i <= 150; i++) await change(i);
    const late = await waf.diagnostics(true);
    expect(waf.driver.stats.closeInstance).toBeGreaterThanOrEqual(2 * 150 - 2);
    // one live instance per worker, however many were started
    expect(late.instances).toBe(2);
    expect(late.nextInstanceId).toBeGreaterThanOrEqual(2 * 150);
    const growthMb = (late.heapUsedBytes - early.heapUsedBytes) / MB;
    process.stdout.write(
      `config changes: ${late.nextInstanceId} instances started, ${late.instances} live; heap after GC ${(early.heapUsedBytes / MB).toFixed(1)} MB after 20 changes, ` +
        `${(late.heapUsedBytes / MB).toFixed(1)} MB after 150 (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(2)} MB)\n`,
    );
    // 260 more instances that were kept alive would be several MB; a freed one costs nothing retained.
    expect(late.gcRan).toBe(true);
    expect(growthMb).toBeLessThan(3);
  } finally {
    await waf.stop();
  }
});
