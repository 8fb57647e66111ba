import { Pool, type PoolClient } from 'pg';
import { inTransaction } from './pg-transaction';
import { loadMigrations } from '../migrations';
import { buildEventWhere } from './filter-sql';
import { PostgresInventory } from './inventory-postgres';
import { EVENT_COLUMNS, eventRowValues, eventTypes, normalizeId, rowToEvent, type EventRow } from './rows';
import { summaryFrom } from './summary';
import type {
  EventBatch, EventCursor, EventFilter, EventPage, IngestResult, IpListEntry, IpListEntryInput, NodeStatus, Store,
  Summary, TimeRange, TimeseriesPoint, TopIp, TopRoute,
} from './types';

/** PostgreSQL type of each events column, in EVENT_COLUMNS order, for the unnest() bulk insert. */
const COLUMN_TYPES: Record<(typeof EVENT_COLUMNS)[number], string> = {
  id: 'text', node_id: 'text', time: 'bigint', received_at: 'bigint', kind: 'text', plugin: 'text',
  application_id: 'text', request_id: 'text', route_id: 'text', service_id: 'text', consumer_id: 'text',
  client_ip: 'text', host: 'text', method: 'text', path: 'text', attack_types: 'jsonb', types: 'text',
  action: 'text', mode: 'text', status: 'integer', rule: 'text', findings: 'jsonb', extra: 'jsonb',
};

const INSERT_EVENTS =
  `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) SELECT * FROM unnest(` +
  EVENT_COLUMNS.map((column, i) => `$${i + 1}::${COLUMN_TYPES[column]}[]`).join(', ') +
  ') ON CONFLICT (id) DO NOTHING RETURNING id';

const UPSERT_NODE = `INSERT INTO nodes (node_id, last_seen, dropped, events_accepted, batches) VALUES ($1, $2, $3, $4, 1)
  ON CONFLICT (node_id) DO UPDATE SET last_seen = GREATEST(nodes.last_seen, excluded.last_seen),
    dropped = CASE WHEN excluded.dropped = '{}'::jsonb THEN nodes.dropped ELSE excluded.dropped END,
    events_accepted = nodes.events_accepted + excluded.events_accepted, batches = nodes.batches + 1`;

/** Used when COLLECTOR_DATABASE_URL is a postgres:// URL. `schema` isolates deployments (and test runs). */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly inventory: PostgresInventory;
  private constructor(private readonly pool: Pool, readonly schema: string) {
    this.inventory = new PostgresInventory(pool);
  }

  static async open(url: string, schema = 'public'): Promise<PostgresStore> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
    const pool = new Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, schema);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // Serialize collectors starting together against the same schema.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kong-api-shield:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of loadMigrations('postgres')) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version, migration.name, Date.now(),
        ]);
      }
    });
  }

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async ingest(batch: EventBatch, receivedAt: number): Promise<IngestResult> {
    const columns: unknown[][] = EVENT_COLUMNS.map(() => []);
    const byId = new Map<string, EventBatch['events'][number]>();
    for (const event of batch.events) {
      const id = normalizeId(event.id);
      if (byId.has(id)) continue;
      byId.set(id, event);
      eventRowValues(event, batch.node_id, receivedAt).forEach((value, i) => columns[i].push(value));
    }
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(INSERT_EVENTS, columns);
      const typeIds: string[] = [];
      const typeTimes: number[] = [];
      const typeNames: string[] = [];
      for (const { id } of rows) {
        const event = byId.get(id);
        if (!event) continue;
        for (const type of eventTypes(event)) {
          typeIds.push(id);
          typeTimes.push(Date.parse(event.time));
          typeNames.push(type);
        }
      }
      if (typeIds.length > 0) {
        await client.query(
          'INSERT INTO event_types (event_id, time, type) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])',
          [typeIds, typeTimes, typeNames],
        );
      }
      await client.query(UPSERT_NODE, [batch.node_id, receivedAt, JSON.stringify(batch.dropped ?? {}), rows.length]);
      return { accepted: rows.length, duplicate: batch.events.length - rows.length };
    });
  }

  async queryEvents(filter: EventFilter, cursor: EventCursor | null, limit: number, totalCap: number): Promise<EventPage> {
    const page = buildEventWhere(filter, cursor, (n) => `$${n}`, 'ILIKE');
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM events WHERE ${page.where} ORDER BY time DESC, id DESC LIMIT $${page.params.length + 1}`,
      [...page.params, limit + 1],
    );
    let n = rows.length;
    // A short first page is the whole result; otherwise count separately (capped, so it stays bounded).
    if (cursor !== null || rows.length > limit) {
      const count = buildEventWhere(filter, null, (i) => `$${i}`, 'ILIKE');
      const counted = await this.pool.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE ${count.where} LIMIT $${count.params.length + 1}) capped`,
        [...count.params, totalCap + 1],
      );
      n = Number(counted.rows[0].n);
    }
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      events: rows.slice(0, limit).map(rowToEvent),
      next_cursor: last ? { time: Number(last.time), id: last.id } : null,
      total: Math.min(n, totalCap),
      total_capped: n > totalCap,
    };
  }

  async getEvent(id: string) {
    const { rows } = await this.pool.query<EventRow>('SELECT * FROM events WHERE id = $1', [normalizeId(id)]);
    return rows[0] ? rowToEvent(rows[0]) : null;
  }

  async summary(range: TimeRange): Promise<Summary> {
    const params = [range.from, range.to];
    const [counts, ips] = await Promise.all([
      this.pool.query<{ action: string; kind: string; n: string }>(
        'SELECT action, kind, COUNT(*) AS n FROM events WHERE time >= $1 AND time < $2 GROUP BY action, kind', params),
      this.pool.query<{ n: string }>(
        'SELECT COUNT(DISTINCT client_ip) AS n FROM events WHERE time >= $1 AND time < $2', params),
    ]);
    return summaryFrom(counts.rows, ips.rows[0].n);
  }

  async timeseries(range: TimeRange, bucketMs: number): Promise<TimeseriesPoint[]> {
    const { rows } = await this.pool.query<{ slot: string; type: string; count: string }>(
      `SELECT (time - $1) / $2 AS slot, type, COUNT(*) AS count FROM event_types
       WHERE time >= $1 AND time < $3 GROUP BY slot, type ORDER BY slot`,
      [range.from, bucketMs, range.to],
    );
    return rows.map((r) => ({ t: range.from + Number(r.slot) * bucketMs, type: r.type, count: Number(r.count) }));
  }

  async topRoutes(range: TimeRange, limit: number): Promise<TopRoute[]> {
    const { rows } = await this.pool.query<{ route_id: string | null; path: string; count: string; blocked: string }>(
      `SELECT route_id, path, COUNT(*) AS count, COUNT(*) FILTER (WHERE action = 'blocked') AS blocked FROM events
       WHERE time >= $1 AND time < $2 GROUP BY route_id, path ORDER BY count DESC, path LIMIT $3`,
      [range.from, range.to, limit],
    );
    return rows.map((r) => ({ route_id: r.route_id, path: r.path, count: Number(r.count), blocked: Number(r.blocked) }));
  }

  async topIps(range: TimeRange, limit: number): Promise<TopIp[]> {
    const { rows } = await this.pool.query<{ client_ip: string; count: string; blocked: string; last_seen: string }>(
      `SELECT client_ip, COUNT(*) AS count, COUNT(*) FILTER (WHERE action = 'blocked') AS blocked, MAX(time) AS last_seen
       FROM events WHERE time >= $1 AND time < $2 GROUP BY client_ip ORDER BY count DESC, client_ip LIMIT $3`,
      [range.from, range.to, limit],
    );
    return rows.map((r) => ({
      client_ip: r.client_ip, count: Number(r.count), blocked: Number(r.blocked), last_seen: Number(r.last_seen),
    }));
  }

  async nodes(): Promise<NodeStatus[]> {
    const { rows } = await this.pool.query<{
      node_id: string; last_seen: string; dropped: Record<string, number>; events_accepted: string; batches: string;
    }>('SELECT * FROM nodes ORDER BY node_id');
    return rows.map((r) => ({
      node_id: r.node_id, last_seen: Number(r.last_seen), dropped: r.dropped,
      events_accepted: Number(r.events_accepted), batches: Number(r.batches),
    }));
  }

  async listIpEntries(now: number): Promise<IpListEntry[]> {
    const { rows } = await this.pool.query<IpListRow>(
      'SELECT * FROM ip_lists WHERE expires_at IS NULL OR expires_at > $1 ORDER BY id', [now]);
    return rows.map(ipEntryFromRow);
  }

  async upsertIpEntry(entry: IpListEntryInput, now: number) {
    // xmax = 0 only for a freshly inserted row: tells "created" from "updated" in one statement.
    const { rows } = await this.pool.query<IpListRow & { inserted: boolean }>(
      `INSERT INTO ip_lists (cidr, list, reason, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (list, cidr) DO UPDATE SET reason = excluded.reason, expires_at = excluded.expires_at,
         created_at = CASE WHEN ip_lists.expires_at IS NOT NULL AND ip_lists.expires_at <= $5
                      THEN excluded.created_at ELSE ip_lists.created_at END
       RETURNING *, (xmax = 0) AS inserted`,
      [entry.cidr, entry.list, entry.reason, entry.expires_at, now],
    );
    const { inserted, ...row } = rows[0];
    return { entry: ipEntryFromRow(row), created: inserted };
  }

  async deleteIpEntry(id: number): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM ip_lists WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async prune(before: number, now: number): Promise<number> {
    const deleted = await this.transaction(async (client) => {
      const events = await client.query('DELETE FROM events WHERE time < $1', [before]);
      await client.query('DELETE FROM event_types WHERE time < $1', [before]);
      return events.rowCount ?? 0;
    });
    await this.pool.query('DELETE FROM ip_lists WHERE expires_at IS NOT NULL AND expires_at <= $1', [now]);
    return deleted;
  }

  /** Drops this store's schema: used by tests that ran against a throwaway schema. */
  async dropSchema(): Promise<void> {
    if (this.schema === 'public') throw new Error('refusing to drop the public schema');
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface IpListRow {
  id: string;
  cidr: string;
  list: IpListEntry['list'];
  reason: string | null;
  expires_at: string | null;
  created_at: string;
}

function ipEntryFromRow(row: IpListRow): IpListEntry {
  return {
    id: Number(row.id), cidr: row.cidr, list: row.list, reason: row.reason,
    expires_at: row.expires_at === null ? null : Number(row.expires_at), created_at: Number(row.created_at),
  };
}
