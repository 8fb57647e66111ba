import path from 'node:path';
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { Store } from './types';

export interface StoreOptions {
  /** Directory for the SQLite file (collector.db) when no database URL is given. */
  dataDir: string;
  /** postgres://… selects PostgreSQL; anything else (or nothing) keeps the embedded SQLite default. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing). */
  pgSchema?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) return PostgresStore.open(url, options.pgSchema ?? 'public');
  if (url) throw new Error('COLLECTOR_DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
  return new SqliteStore(path.join(options.dataDir, 'collector.db'));
}

export type { Store } from './types';
