/**
 * The compose network, emulated: in docker-compose the demo's services reach each other by service name
 * (`upstream`, `collector`, `redis`), and `kong.yaml` is written for that. The local gateway runs everything
 * on this machine, so `npm start` makes those names resolve to 127.0.0.1 — in its own process and, through a
 * `--require` preload, in the pluginservers it starts (the plugins connect to `collector` and `redis`).
 * Only the listed names are touched; every other lookup goes to the real resolver.
 * `API_SHIELD_HOST_ALIASES` lists the names (default `upstream,collector,redis`; empty disables).
 */
import dns from 'node:dns';

export const DEFAULT_ALIASES = 'upstream,collector,redis';
const LOOPBACK = '127.0.0.1';
let installed: ReadonlySet<string> | null = null;

export function parseAliases(value: string | undefined): string[] {
  return (value ?? DEFAULT_ALIASES).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Makes the names resolve to 127.0.0.1 for dns.lookup (which net, http, undici and ioredis use). Idempotent. */
export function installHostAliases(names: readonly string[]): void {
  if (installed || names.length === 0) return;
  const aliases = new Set(names);
  installed = aliases;
  const realLookup = dns.lookup.bind(dns) as (...args: unknown[]) => void;
  const patched = (hostname: string, options: unknown, callback?: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    if (typeof hostname === 'string' && aliases.has(hostname.toLowerCase())) {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
      process.nextTick(() => (all ? cb(null, [{ address: LOOPBACK, family: 4 }]) : cb(null, LOOPBACK, 4)));
      return;
    }
    if (typeof options === 'function') realLookup(hostname, options);
    else realLookup(hostname, options, callback);
  };
  (dns as { lookup: unknown }).lookup = patched;
  const realPromise = dns.promises.lookup.bind(dns.promises);
  (dns.promises as { lookup: unknown }).lookup = (hostname: string, options?: dns.LookupOptions) =>
    typeof hostname === 'string' && aliases.has(hostname.toLowerCase())
      ? Promise.resolve(options?.all ? [{ address: LOOPBACK, family: 4 }] : { address: LOOPBACK, family: 4 })
      : realPromise(hostname, options ?? {});
}
