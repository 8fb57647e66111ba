/**
 * A diagnostic RPC method for our pluginserver entry: `plugin.ShieldDiagnostics [{gc?: boolean}]`.
 *
 * Kong never calls it (Kong only sends the methods listed in protocol notes §2.3); the soak benchmark
 * and the memory-bounds e2e test do, over the same Unix socket, to read the server's own memory
 * (`process.memoryUsage()`, V8 heap statistics), the size of kong-pdk's `events` and `instances`
 * maps, and the counters that plugin modules expose. kong-pdk's own `GetStatus` cannot serve here: it
 * iterates the `instances` Map with `for…in` and therefore always lists no instances.
 *
 * Plugin state is found without the server knowing the plugins: every module already loaded in the
 * process (require.cache) under a `plugins/` directory that exports a function `shieldDiagnostics`
 * contributes its result, keyed by its file name. Nothing is loaded for the purpose.
 *
 * `gc: true` runs a full garbage collection first when the process was started with --expose-gc
 * (NODE_OPTIONS), so heapUsed is what is retained, not what is merely not yet collected.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

export const DIAGNOSTICS_METHOD = 'ShieldDiagnostics';

export interface ServerDiagnostics {
  pid: number;
  uptimeS: number;
  /** VmRSS / VmHWM from /proc/self/status when available (bytes), else process.memoryUsage().rss. */
  rssBytes: number;
  peakRssBytes: number | null;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  heapSizeLimitBytes: number;
  gcRan: boolean;
  leakFix: boolean;
  /** kong-pdk Server: open events, live instances, ids handed out so far. */
  events: number;
  instances: number;
  nextEventId: number;
  nextInstanceId: number;
  /** `shieldDiagnostics()` of every loaded plugin module that has one, by module file name. */
  modules: Record<string, unknown>;
}

/** The kong-pdk `Server` fields read here (server.js is untyped JavaScript). */
interface ServerLike {
  events: Map<number, unknown>;
  instances?: Map<number, unknown>;
  eventID?: number;
  instanceID?: number;
}

/** Bytes of a `VmRSS:`-style line of /proc/self/status (kB there), or null. */
export function procStatusBytes(status: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

function moduleDiagnostics(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!mod || !file.split(path.sep).includes('plugins')) continue;
    const fn = (mod.exports as { shieldDiagnostics?: unknown } | undefined)?.shieldDiagnostics;
    if (typeof fn !== 'function') continue;
    const key = path.basename(file).replace(/\.(js|ts)$/, '');
    try {
      out[key] = (fn as () => unknown)();
    } catch (err) {
      out[key] = { error: (err as Error).message };
    }
  }
  return out;
}

export function collectDiagnostics(server: ServerLike, leakFix: boolean, opts: { gc?: boolean } = {}): ServerDiagnostics {
  const gc = (globalThis as { gc?: () => void }).gc;
  let gcRan = false;
  if (opts.gc && typeof gc === 'function') {
    gc();
    gcRan = true;
  }
  const mem = process.memoryUsage();
  let status = '';
  try {
    status = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: fall back to memoryUsage
  }
  return {
    pid: process.pid,
    uptimeS: process.uptime(),
    rssBytes: procStatusBytes(status, 'VmRSS') ?? mem.rss,
    peakRssBytes: procStatusBytes(status, 'VmHWM'),
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
    arrayBuffersBytes: mem.arrayBuffers,
    heapSizeLimitBytes: v8.getHeapStatistics().heap_size_limit,
    gcRan,
    leakFix,
    events: server.events.size,
    instances: server.instances?.size ?? -1,
    nextEventId: server.eventID ?? -1,
    nextInstanceId: server.instanceID ?? -1,
    modules: moduleDiagnostics(),
  };
}

/** Adds the RPC method to a kong-pdk Server object (the Listener dispatches `plugin.<M>` to `server[M]`). */
export function installDiagnostics(server: ServerLike, leakFix: boolean): void {
  (server as unknown as Record<string, unknown>)[DIAGNOSTICS_METHOD] = async (opts?: { gc?: boolean }) =>
    collectDiagnostics(server, leakFix, opts && typeof opts === 'object' ? opts : {});
}
