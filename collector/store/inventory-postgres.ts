import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './pg-transaction';
import { groupEndpoints, mergeEndpoint, mergeParam } from './inventory-merge';
import type {
  EndpointRecord, InventoryBatch, InventoryEndpoint, InventoryFilter, InventoryIngestResult, InventoryNode, InventoryStore, ParamRecord, StoredSpec,
} from './inventory-types';

type Row = Record<string, unknown>;

function endpointFromRow(r: Row): EndpointRecord {
  return {
    id: Number(r.id), service_id: String(r.service_id), route_id: String(r.route_id), method: String(r.method), template: String(r.template),
    count: Number(r.count), first_seen: Number(r.first_seen), last_seen: Number(r.last_seen), hosts: (r.hosts as string[]) ?? [],
    content_types: (r.content_types as Record<string, number>) ?? {}, statuses: (r.statuses as Record<string, number>) ?? {},
    sensitive: Number(r.sensitive), params_capped: Number(r.params_capped),
  };
}

function paramFromRow(r: Row): ParamRecord {
  return {
    endpoint_id: Number(r.endpoint_id), location: r.location as ParamRecord['location'], name: String(r.name), count: Number(r.count),
    first_seen: Number(r.first_seen), last_seen: Number(r.last_seen), types: (r.types as Record<string, number>) ?? {},
    formats: (r.formats as Record<string, number>) ?? {}, sensitive: Number(r.sensitive), distinct_values: Number(r.distinct_values),
    distinct_capped: r.distinct_capped === true,
  };
}

/**
 * The inventory in PostgreSQL. One transaction per batch, a fixed number of statements whatever its size:
 * create missing endpoint rows (unnest, ON CONFLICT DO NOTHING), lock them all (FOR UPDATE, in key order,
 * so concurrent batches for the same endpoints serialize without deadlocking), merge in JS, write back
 * endpoints and parameters with one unnest upsert each.
 */
export class PostgresInventory implements InventoryStore {
  constructor(private readonly pool: Pool) {}

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async ingest(batch: InventoryBatch, receivedAt: number): Promise<InventoryIngestResult> {
    const grouped = groupEndpoints(batch.endpoints);
    return this.transaction(async (client) => {
      const inserted = await client.query(
        'INSERT INTO inventory_batches (batch_id, node_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (batch_id) DO NOTHING',
        [batch.batch_id.toLowerCase(), batch.node_id, receivedAt],
      );
      if ((inserted.rowCount ?? 0) === 0) return { duplicate: true, endpoints: 0, params: 0 };
      const cols = { s: [] as string[], r: [] as string[], m: [] as string[], t: [] as string[], f: [] as number[] };
      for (const [, e] of grouped) {
        cols.s.push(e.service_id ?? '');
        cols.r.push(e.route_id ?? '');
        cols.m.push(e.method.toUpperCase());
        cols.t.push(e.template);
        cols.f.push(Date.parse(e.first_seen));
      }
      await client.query(
        `INSERT INTO inventory_endpoints (service_id, route_id, method, template, first_seen, last_seen)
         SELECT s, r, m, t, f, f FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(s, r, m, t, f)
         ON CONFLICT (service_id, route_id, method, template) DO NOTHING`,
        [cols.s, cols.r, cols.m, cols.t, cols.f],
      );
      const locked = await client.query<Row>(
        `SELECT e.* FROM inventory_endpoints e JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(s, r, m, t)
           ON e.service_id = x.s AND e.route_id = x.r AND e.method = x.m AND e.template = x.t
         ORDER BY e.id FOR UPDATE OF e`,
        [cols.s, cols.r, cols.m, cols.t],
      );
      const rows = new Map<string, Row>();
      for (const r of locked.rows) rows.set(JSON.stringify([r.service_id, r.route_id, r.method, r.template]), r);
      const ids = locked.rows.map((r) => Number(r.id));
      const existingParams = await client.query<Row>('SELECT * FROM inventory_params WHERE endpoint_id = ANY($1::bigint[])', [ids]);
      const known = new Map<string, ParamRecord>();
      for (const r of existingParams.rows) known.set(`${Number(r.endpoint_id)}\u0001${String(r.location)}\u0001${String(r.name)}`, paramFromRow(r));

      const endpoints: EndpointRecord[] = [];
      const params: ParamRecord[] = [];
      for (const [key, e] of grouped) {
        const r = rows.get(key);
        if (!r) throw new Error(`inventory endpoint row missing after insert: ${key}`);
        const fresh = Number(r.count) === 0;
        const merged = mergeEndpoint(fresh ? null : endpointFromRow(r), e, Number(r.id));
        endpoints.push(merged);
        const first = Date.parse(e.first_seen);
        const last = Date.parse(e.last_seen);
        for (const p of e.params) params.push(mergeParam(known.get(`${merged.id}\u0001${p.in}\u0001${p.name}`), p, merged, first, last));
      }
      await client.query(
        `UPDATE inventory_endpoints e SET count = x.count, first_seen = x.first_seen, last_seen = x.last_seen, hosts = x.hosts,
           content_types = x.content_types, statuses = x.statuses, sensitive = x.sensitive, params_capped = x.params_capped
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::int[], $9::bigint[])
           AS x(id, count, first_seen, last_seen, hosts, content_types, statuses, sensitive, params_capped)
         WHERE e.id = x.id`,
        [
          endpoints.map((e) => e.id), endpoints.map((e) => e.count), endpoints.map((e) => e.first_seen), endpoints.map((e) => e.last_seen),
          endpoints.map((e) => JSON.stringify(e.hosts)), endpoints.map((e) => JSON.stringify(e.content_types)),
          endpoints.map((e) => JSON.stringify(e.statuses)), endpoints.map((e) => e.sensitive), endpoints.map((e) => e.params_capped),
        ],
      );
      if (params.length > 0) {
        await client.query(
          `INSERT INTO inventory_params (endpoint_id, location, name, count, first_seen, last_seen, types, formats, sensitive, distinct_values, distinct_capped)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::jsonb[], $8::jsonb[], $9::int[], $10::bigint[], $11::boolean[])
           ON CONFLICT (endpoint_id, location, name) DO UPDATE SET count = excluded.count, first_seen = excluded.first_seen,
             last_seen = excluded.last_seen, types = excluded.types, formats = excluded.formats, sensitive = excluded.sensitive,
             distinct_values = excluded.distinct_values, distinct_capped = excluded.distinct_capped`,
          [
            params.map((p) => p.endpoint_id), params.map((p) => p.location), params.map((p) => p.name), params.map((p) => p.count),
            params.map((p) => p.first_seen), params.map((p) => p.last_seen), params.map((p) => JSON.stringify(p.types)),
            params.map((p) => JSON.stringify(p.formats)), params.map((p) => p.sensitive), params.map((p) => p.distinct_values),
            params.map((p) => p.distinct_capped),
          ],
        );
      }
      await client.query(
        `INSERT INTO inventory_nodes (node_id, last_seen, capped, batches) VALUES ($1, $2, $3, 1)
         ON CONFLICT (node_id) DO UPDATE SET last_seen = GREATEST(inventory_nodes.last_seen, excluded.last_seen), capped = excluded.capped,
           batches = inventory_nodes.batches + 1`,
        [batch.node_id, receivedAt, JSON.stringify(batch.capped ?? {})],
      );
      return { duplicate: false, endpoints: batch.endpoints.length, params: params.length };
    });
  }

  async list(filter: InventoryFilter): Promise<InventoryEndpoint[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.route !== undefined) where.push(`e.route_id = $${args.push(filter.route)}`);
    if (filter.service !== undefined) where.push(`e.service_id = $${args.push(filter.service)}`);
    if (filter.since !== undefined) {
      const n = args.push(filter.since);
      where.push(`(e.first_seen >= $${n} OR EXISTS (SELECT 1 FROM inventory_params p WHERE p.endpoint_id = e.id AND p.first_seen >= $${n}))`);
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT e.* FROM inventory_endpoints e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.route_id, e.template, e.method LIMIT $${args.push(filter.limit)}`,
      args,
    );
    const endpoints: InventoryEndpoint[] = rows.map((r) => ({ ...endpointFromRow(r), params: [] }));
    if (endpoints.length === 0) return endpoints;
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    const params = await this.pool.query<Row>('SELECT * FROM inventory_params WHERE endpoint_id = ANY($1::bigint[]) ORDER BY location, name', [[...byId.keys()]]);
    for (const r of params.rows) byId.get(Number(r.endpoint_id))?.params.push(paramFromRow(r));
    return endpoints;
  }

  async nodes(): Promise<InventoryNode[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM inventory_nodes ORDER BY node_id');
    return rows.map((r) => ({ node_id: String(r.node_id), last_seen: Number(r.last_seen), capped: (r.capped as Record<string, number>) ?? {}, batches: Number(r.batches) }));
  }

  async putSpec(spec: StoredSpec): Promise<void> {
    await this.pool.query(
      `INSERT INTO inventory_specs (scope, document, operations, base_paths, uploaded_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope) DO UPDATE SET document = excluded.document, operations = excluded.operations, base_paths = excluded.base_paths,
         uploaded_at = excluded.uploaded_at`,
      [spec.scope, JSON.stringify(spec.document), JSON.stringify(spec.operations), JSON.stringify(spec.base_paths), spec.uploaded_at],
    );
  }

  async listSpecs(): Promise<StoredSpec[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM inventory_specs ORDER BY scope');
    return rows.map((r) => ({
      scope: String(r.scope), document: r.document, operations: (r.operations as string[]) ?? [], base_paths: (r.base_paths as string[]) ?? [''],
      uploaded_at: Number(r.uploaded_at),
    }));
  }

  async deleteSpec(scope: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM inventory_specs WHERE scope = $1', [scope]);
    return (result.rowCount ?? 0) > 0;
  }
}
