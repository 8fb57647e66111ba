import type Database from 'better-sqlite3';
import { groupEndpoints, mergeEndpoint, mergeParam } from './inventory-merge';
import type {
  EndpointRecord, InventoryBatch, InventoryEndpoint, InventoryFilter, InventoryIngestResult, InventoryNode, InventoryStore, ParamRecord, StoredSpec,
} from './inventory-types';

type Db = Database.Database;
type Row = Record<string, unknown>;

const json = <T>(v: unknown, fallback: T): T => {
  try {
    return typeof v === 'string' ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
};

function endpointFromRow(r: Row): EndpointRecord {
  return {
    id: Number(r.id), service_id: String(r.service_id), route_id: String(r.route_id), method: String(r.method), template: String(r.template),
    count: Number(r.count), first_seen: Number(r.first_seen), last_seen: Number(r.last_seen), hosts: json(r.hosts, []),
    content_types: json(r.content_types, {}), statuses: json(r.statuses, {}), sensitive: Number(r.sensitive), params_capped: Number(r.params_capped),
  };
}

function paramFromRow(r: Row): ParamRecord {
  return {
    endpoint_id: Number(r.endpoint_id), location: r.location as ParamRecord['location'], name: String(r.name), count: Number(r.count),
    first_seen: Number(r.first_seen), last_seen: Number(r.last_seen), types: json(r.types, {}), formats: json(r.formats, {}),
    sensitive: Number(r.sensitive), distinct_values: Number(r.distinct_values), distinct_capped: Number(r.distinct_capped) === 1,
  };
}

/** The inventory in the collector's SQLite file; every batch is one IMMEDIATE transaction (writers serialize). */
export class SqliteInventory implements InventoryStore {
  private readonly ingestTx: Database.Transaction<(batch: InventoryBatch, receivedAt: number) => InventoryIngestResult>;

  constructor(private readonly db: Db) {
    const insertBatch = db.prepare('INSERT INTO inventory_batches (batch_id, node_id, received_at) VALUES (?, ?, ?) ON CONFLICT (batch_id) DO NOTHING');
    const selectEndpoint = db.prepare('SELECT * FROM inventory_endpoints WHERE service_id = ? AND route_id = ? AND method = ? AND template = ?');
    const insertEndpoint = db.prepare(
      `INSERT INTO inventory_endpoints (service_id, route_id, method, template, count, first_seen, last_seen, hosts, content_types, statuses, sensitive, params_capped)
       VALUES (@service_id, @route_id, @method, @template, @count, @first_seen, @last_seen, @hosts, @content_types, @statuses, @sensitive, @params_capped)`,
    );
    const updateEndpoint = db.prepare(
      `UPDATE inventory_endpoints SET count = @count, first_seen = @first_seen, last_seen = @last_seen, hosts = @hosts, content_types = @content_types,
         statuses = @statuses, sensitive = @sensitive, params_capped = @params_capped WHERE id = @id`,
    );
    const selectParams = db.prepare('SELECT * FROM inventory_params WHERE endpoint_id = ?');
    const upsertParam = db.prepare(
      `INSERT INTO inventory_params (endpoint_id, location, name, count, first_seen, last_seen, types, formats, sensitive, distinct_values, distinct_capped)
       VALUES (@endpoint_id, @location, @name, @count, @first_seen, @last_seen, @types, @formats, @sensitive, @distinct_values, @distinct_capped)
       ON CONFLICT (endpoint_id, location, name) DO UPDATE SET count = excluded.count, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
         types = excluded.types, formats = excluded.formats, sensitive = excluded.sensitive, distinct_values = excluded.distinct_values,
         distinct_capped = excluded.distinct_capped`,
    );
    const upsertNode = db.prepare(
      `INSERT INTO inventory_nodes (node_id, last_seen, capped, batches) VALUES (?, ?, ?, 1)
       ON CONFLICT (node_id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen), capped = excluded.capped, batches = batches + 1`,
    );
    this.ingestTx = db.transaction((batch: InventoryBatch, receivedAt: number): InventoryIngestResult => {
      if (insertBatch.run(batch.batch_id.toLowerCase(), batch.node_id, receivedAt).changes === 0) return { duplicate: true, endpoints: 0, params: 0 };
      let params = 0;
      for (const [, e] of groupEndpoints(batch.endpoints)) {
        const existing = selectEndpoint.get(e.service_id ?? '', e.route_id ?? '', e.method.toUpperCase(), e.template) as Row | undefined;
        const row = existing ? endpointFromRow(existing) : null;
        const merged = mergeEndpoint(row, e, row?.id ?? 0);
        const values = { ...merged, hosts: JSON.stringify(merged.hosts), content_types: JSON.stringify(merged.content_types), statuses: JSON.stringify(merged.statuses) };
        if (row) updateEndpoint.run(values);
        else merged.id = Number(insertEndpoint.run(values).lastInsertRowid);
        const known = new Map<string, ParamRecord>();
        if (row) for (const r of selectParams.all(merged.id) as Row[]) known.set(`${String(r.location)}\u0001${String(r.name)}`, paramFromRow(r));
        const first = Date.parse(e.first_seen);
        const last = Date.parse(e.last_seen);
        for (const p of e.params) {
          const m = mergeParam(known.get(`${p.in}\u0001${p.name}`), p, merged, first, last);
          upsertParam.run({ ...m, types: JSON.stringify(m.types), formats: JSON.stringify(m.formats), distinct_capped: m.distinct_capped ? 1 : 0 });
          params++;
        }
      }
      upsertNode.run(batch.node_id, receivedAt, JSON.stringify(batch.capped ?? {}));
      return { duplicate: false, endpoints: batch.endpoints.length, params };
    });
  }

  async ingest(batch: InventoryBatch, receivedAt: number): Promise<InventoryIngestResult> {
    return this.ingestTx.immediate(batch, receivedAt);
  }

  async list(filter: InventoryFilter): Promise<InventoryEndpoint[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.route !== undefined) {
      where.push('e.route_id = ?');
      params.push(filter.route);
    }
    if (filter.service !== undefined) {
      where.push('e.service_id = ?');
      params.push(filter.service);
    }
    if (filter.since !== undefined) {
      where.push('(e.first_seen >= ? OR EXISTS (SELECT 1 FROM inventory_params p WHERE p.endpoint_id = e.id AND p.first_seen >= ?))');
      params.push(filter.since, filter.since);
    }
    const rows = this.db
      .prepare(`SELECT e.* FROM inventory_endpoints e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.route_id, e.template, e.method LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    const endpoints = rows.map(endpointFromRow);
    const byId = new Map<number, InventoryEndpoint>(endpoints.map((e) => [e.id, { ...e, params: [] }]));
    const selectParams = this.db.prepare('SELECT * FROM inventory_params WHERE endpoint_id = ? ORDER BY location, name');
    for (const e of byId.values()) e.params = (selectParams.all(e.id) as Row[]).map(paramFromRow);
    return [...byId.values()];
  }

  async nodes(): Promise<InventoryNode[]> {
    return (this.db.prepare('SELECT * FROM inventory_nodes ORDER BY node_id').all() as Row[]).map((r) => ({
      node_id: String(r.node_id), last_seen: Number(r.last_seen), capped: json(r.capped, {}), batches: Number(r.batches),
    }));
  }

  async putSpec(spec: StoredSpec): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO inventory_specs (scope, document, operations, base_paths, uploaded_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET document = excluded.document, operations = excluded.operations, base_paths = excluded.base_paths,
           uploaded_at = excluded.uploaded_at`,
      )
      .run(spec.scope, JSON.stringify(spec.document), JSON.stringify(spec.operations), JSON.stringify(spec.base_paths), spec.uploaded_at);
  }

  async listSpecs(): Promise<StoredSpec[]> {
    return (this.db.prepare('SELECT * FROM inventory_specs ORDER BY scope').all() as Row[]).map((r) => ({
      scope: String(r.scope), document: json(r.document, null), operations: json(r.operations, []), base_paths: json(r.base_paths, ['']),
      uploaded_at: Number(r.uploaded_at),
    }));
  }

  async deleteSpec(scope: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM inventory_specs WHERE scope = ?').run(scope).changes > 0;
  }
}
