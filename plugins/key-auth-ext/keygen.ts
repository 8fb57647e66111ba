/**
 * npm run keygen -- --consumer alice --scopes orders:read,orders:write [--expires 2027-01-01]
 *                   [--not-before 2026-07-01] [--id alice-2026] [--cidrs 10.0.0.0/8,2001:db8::/32]
 *                   [--hmac-env KEY_PEPPER]
 *
 * Prints a new random key ONCE (it is not stored anywhere) and the kong.yaml snippet with only its
 * hash, for the `keys` list of the key-auth-ext plugin config. With --hmac-env the hash is
 * HMAC-SHA256 keyed with the value of that environment variable (which must also be set for the
 * plugin server), and the snippet sets `pepper_env`.
 */
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { normalizeIp } from '../common/net';
import { parseCidr } from '../common/net';
import { formatKeyHash, generateKey, parseInstant } from './keys';

export interface KeygenOptions {
  consumer: string;
  scopes: string[];
  id?: string;
  expires?: string;
  notBefore?: string;
  cidrs?: string[];
  hmacEnv?: string;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): KeygenOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (!['consumer', 'scopes', 'id', 'expires', 'not-before', 'cidrs', 'hmac-env'].includes(name)) throw new UsageError(`unknown option --${name}`);
    values.set(name, value);
  }
  const consumer = values.get('consumer');
  if (!consumer) throw new UsageError('--consumer is required');
  const list = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  return {
    consumer,
    scopes: list(values.get('scopes')),
    id: values.get('id'),
    expires: values.get('expires'),
    notBefore: values.get('not-before'),
    cidrs: values.has('cidrs') ? list(values.get('cidrs')) : undefined,
    hmacEnv: values.get('hmac-env'),
  };
}

export interface GeneratedKey {
  key: string;
  entry: Record<string, unknown>;
  snippet: string;
}

export function generate(opts: KeygenOptions, env: NodeJS.ProcessEnv = process.env): GeneratedKey {
  const key = generateKey();
  const toIso = (label: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    const ms = parseInstant(v);
    if (ms === undefined) throw new UsageError(`--${label}: not an ISO 8601 date or epoch seconds: ${v}`);
    return new Date(ms).toISOString();
  };
  let hash: string;
  if (opts.hmacEnv) {
    const pepper = env[opts.hmacEnv];
    if (!pepper) throw new UsageError(`environment variable ${opts.hmacEnv} is empty or not set`);
    hash = formatKeyHash(key, 'hmac-sha256', pepper);
  } else {
    hash = formatKeyHash(key, 'sha256');
  }
  for (const c of opts.cidrs ?? []) if (!parseCidr(c)) throw new UsageError(`--cidrs: not a CIDR or IP: ${c}`);
  const entry: Record<string, unknown> = { id: opts.id ?? `${opts.consumer}-${randomUUID().slice(0, 8)}`, consumer: opts.consumer, hash, scopes: opts.scopes };
  const notBefore = toIso('not-before', opts.notBefore);
  const expires = toIso('expires', opts.expires);
  if (notBefore) entry.not_before = notBefore;
  if (expires) entry.expires_at = expires;
  if (opts.cidrs) entry.allowed_cidrs = opts.cidrs.map((c) => (c.includes('/') ? c : normalizeIp(c) ?? c));
  const config: Record<string, unknown> = { keys: [entry] };
  if (opts.hmacEnv) config.pepper_env = opts.hmacEnv;
  // Every string quoted: YAML 1.1 loaders would otherwise read the ISO instants as timestamps.
  const snippet = stringify([{ name: 'key-auth-ext', config }], { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  return { key, entry, snippet };
}

function main(): number {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const { key, snippet } = generate(opts);
    process.stdout.write(
      `API key for ${opts.consumer} (shown once, store it now; only its hash goes into the config):\n\n  ${key}\n\n` +
        `kong.yaml (append the entry to the plugin's existing keys list):\n\n${snippet}`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`keygen: ${(err as Error).message}\n`);
    process.stderr.write('usage: npm run keygen -- --consumer <name|uuid> [--scopes a,b] [--expires <iso|epoch>] [--not-before <iso|epoch>] [--id <id>] [--cidrs <cidr,...>] [--hmac-env <VAR>]\n');
    return 2;
  }
}

if (require.main === module) process.exitCode = main();
