import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '../store/postgres';
import { SqliteStore } from '../store/sqlite';
import type { Store } from '../store/types';

/** Tests run every store test against both backends; Postgres gets a throwaway schema. */
export const TEST_PG_URL = process.env.COLLECTOR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  /** What startCollector needs to reach the same database. */
  options: { dataDir: string; databaseUrl?: string; pgSchema?: string };
  cleanup(): Promise<void>;
}

export function uniqueSchema(): string {
  return `collector_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function openTestStore(kind: 'sqlite' | 'postgres'): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-test-'));
  if (kind === 'sqlite') {
    const store = new SqliteStore(path.join(dataDir, 'collector.db'));
    return {
      store,
      options: { dataDir },
      async cleanup() {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueSchema();
  const store = await PostgresStore.open(TEST_PG_URL, schema);
  return {
    store,
    options: { dataDir, databaseUrl: TEST_PG_URL, pgSchema: schema },
    async cleanup() {
      await store.dropSchema();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
