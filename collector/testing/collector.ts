import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startCollector, type CollectorOptions, type RunningCollector } from '../server';
import { TEST_PG_URL, uniqueSchema } from './databases';

export const NODE_TOKENS = { 'node-a': 'token-a-0123456789abcdef', 'node-b': 'token-b-0123456789abcdef' };
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

export interface TestCollector extends RunningCollector {
  /** POST JSON (gzip unless `gzip: false`) with node-a's token unless `token` says otherwise. */
  postEvents(body: unknown, options?: { gzip?: boolean; token?: string | null }): Promise<Response>;
  get(pathAndQuery: string, headers?: Record<string, string>): Promise<Response>;
}

/** A collector on 127.0.0.1:<free port> over a throwaway SQLite dir or Postgres schema; close() removes both. */
export async function startTestCollector(
  kind: 'sqlite' | 'postgres',
  overrides: Partial<CollectorOptions> = {},
): Promise<TestCollector> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-http-'));
  const schema = kind === 'postgres' ? uniqueSchema() : undefined;
  const collector = await startCollector({
    dataDir,
    databaseUrl: kind === 'postgres' ? TEST_PG_URL : undefined,
    pgSchema: schema,
    host: '127.0.0.1',
    port: 0,
    nodeTokens: NODE_TOKENS,
    retentionDays: 0,
    ...overrides,
  });
  return {
    ...collector,
    async close() {
      try {
        if (schema) {
          const pgStore = collector.store as unknown as { dropSchema(): Promise<void> };
          await pgStore.dropSchema();
        }
      } finally {
        await collector.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    postEvents(body, options = {}) {
      const json = typeof body === 'string' ? body : JSON.stringify(body);
      const gzip = options.gzip ?? true;
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (gzip) headers['Content-Encoding'] = 'gzip';
      const token = options.token === undefined ? NODE_TOKENS['node-a'] : options.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      return fetch(`${collector.url}/api/v1/events`, { method: 'POST', headers, body: gzip ? gzipSync(json) : json });
    },
    get(pathAndQuery, headers = {}) {
      return fetch(`${collector.url}${pathAndQuery}`, { headers });
    },
  };
}
