import type { CollectorOptions } from './server';
import { parseNodeTokens, readNodeTokensFile, type NodeTokens } from './tokens';

type Env = Record<string, string | undefined>;

/** host:port, [v6]:port or a bare port (which listens on loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:\s\[\]]+)):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`COLLECTOR_LISTEN must look like 127.0.0.1:8090, got "${text}"`);
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

function positiveNumber(env: Env, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a non-negative number`);
  return number;
}

/** Options for the standalone collector (collector/main.ts) from COLLECTOR_* environment variables. */
export function optionsFromEnv(env: Env): CollectorOptions {
  const tokens: NodeTokens = {};
  if (env.COLLECTOR_NODE_TOKENS_FILE) Object.assign(tokens, readNodeTokensFile(env.COLLECTOR_NODE_TOKENS_FILE));
  if (env.COLLECTOR_NODE_TOKENS) {
    for (const [name, token] of Object.entries(parseNodeTokens(env.COLLECTOR_NODE_TOKENS))) {
      if (tokens[name] !== undefined) throw new Error(`node "${name}" is in both COLLECTOR_NODE_TOKENS and the tokens file`);
      tokens[name] = token;
    }
  }
  const adminToken = env.COLLECTOR_ADMIN_TOKEN?.trim() || null;
  if (adminToken !== null && adminToken.length < 16) throw new Error('COLLECTOR_ADMIN_TOKEN must be at least 16 characters');
  const bodyLimit = positiveNumber(env, 'COLLECTOR_BODY_LIMIT');
  return {
    ...parseListen(env.COLLECTOR_LISTEN ?? '127.0.0.1:8090'),
    dataDir: env.COLLECTOR_DATA_DIR ?? './data/collector',
    databaseUrl: env.COLLECTOR_DATABASE_URL || undefined,
    pgSchema: env.COLLECTOR_DATABASE_SCHEMA || undefined,
    nodeTokens: tokens,
    adminToken,
    bodyLimit: bodyLimit && bodyLimit > 0 ? bodyLimit : undefined,
    retentionDays: positiveNumber(env, 'COLLECTOR_RETENTION_DAYS'),
    logLevel: env.COLLECTOR_LOG_LEVEL ?? 'info',
  };
}
