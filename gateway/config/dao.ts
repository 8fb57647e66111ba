/**
 * Entity CRUD over in-memory tables with Kong's DAO semantics (`kong/db/dao/init.lua`,
 * `kong/db/strategies/postgres/init.lua`): insert/update/upsert/delete, id-or-endpoint-key
 * addressing, foreign key resolution by unique field, unique and cache-key constraints,
 * restrict/cascade on delete, pagination. Every failure throws a KongDaoError.
 */
import type { PluginCatalog } from './types';
import {
  processAutoFields, validateRecord, mergeValues, isObject, type RecordSchema, type Context,
} from './kong-schema';
import { daoErrors, KongDaoError, type ErrorTreeObject } from './errors';
import {
  RELATIONS, UNIQUE_FIELDS, type EntityName,
} from './entities';
import { entitySchemas } from './plugin-schemas';
import { expandServiceUrl } from './shorthands';
import { isValidUuid } from './field-validators';
import { uuidV4 } from './uuid';

export type Row = Record<string, unknown> & { id: string };
export type Tables = Record<EntityName, Map<string, Row>>;

export function emptyTables(): Tables {
  return { services: new Map(), routes: new Map(), consumers: new Map(), plugins: new Map() };
}

export function cloneTables(t: Tables): Tables {
  return {
    services: new Map(t.services),
    routes: new Map(t.routes),
    consumers: new Map(t.consumers),
    plugins: new Map(t.plugins),
  };
}

export interface PageOptions {
  size?: unknown;
  offset?: unknown;
  tags?: unknown;
  filter?: (row: Row) => boolean;
}

export interface Page {
  data: Row[];
  offset?: string;
}

const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export class EntityDao {
  readonly schemas: Record<EntityName, RecordSchema>;

  constructor(catalog: PluginCatalog, private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.schemas = entitySchemas(catalog);
  }

  endpointKey(entity: EntityName): string {
    return this.schemas[entity].endpoint_key as string;
  }

  /** `id` when the key is a UUID, else the entity's endpoint key (name, username, instance_name). */
  keyField(entity: EntityName, key: string): string {
    return isValidUuid(key) ? 'id' : this.endpointKey(entity);
  }

  select(t: Tables, entity: EntityName, key: string): Row | null {
    const field = this.keyField(entity, key);
    if (field === 'id') return t[entity].get(key) ?? null;
    for (const row of t[entity].values()) if (row[field] === key) return row;
    return null;
  }

  private autoFields(entity: EntityName, input: Record<string, unknown>, context: Context): Record<string, unknown> {
    const data = { ...input };
    if (entity === 'services') {
      const err = expandServiceUrl(data);
      if (err) throw daoErrors.schemaViolation(err);
    }
    return processAutoFields(this.schemas[entity], data, context, { now: this.now(), newId: uuidV4 });
  }

  /** `resolve_foreign`: `{ name: "x" }` style foreign keys become `{ id }`. */
  private resolveForeign(t: Tables, entity: EntityName, row: Record<string, unknown>): void {
    const errors: Record<string, Record<string, { name: string; value: unknown; parent: string }>> = {};
    for (const rel of RELATIONS.filter((r) => r.entity === entity)) {
      const value = row[rel.field];
      if (!isObject(value) || isValidUuid(value.id)) continue;
      const uniques = [...UNIQUE_FIELDS[rel.reference]];
      for (const uf of uniques) {
        const v = value[uf];
        if (typeof v !== 'string' || v === '') continue;
        const found = [...t[rel.reference].values()].find((r) => r[uf] === v);
        if (found) {
          row[rel.field] = { id: found.id };
          break;
        }
        errors[rel.field] = { ...(errors[rel.field] ?? {}), [uf]: { name: uf, value: v, parent: rel.reference } };
      }
    }
    if (Object.keys(errors).length > 0) throw daoErrors.foreignKeysUnresolved(errors);
  }

  private validate(entity: EntityName, row: Record<string, unknown>, isUpdate: boolean): void {
    const errs = validateRecord(this.schemas[entity], row, { fullCheck: !isUpdate, isUpdate });
    if (errs) throw daoErrors.schemaViolation(errs);
  }

  /** What the database's constraints would refuse (unique fields, plugin cache key, foreign keys). */
  private checkConstraints(t: Tables, entity: EntityName, row: Row): void {
    for (const field of UNIQUE_FIELDS[entity]) {
      const v = row[field];
      if (v === null || v === undefined) continue;
      for (const other of t[entity].values()) {
        if (other.id !== row.id && other[field] === v) throw daoErrors.uniqueViolation({ [field]: v });
      }
    }
    if (entity === 'plugins') {
      const key = (r: Record<string, unknown>): string =>
        JSON.stringify([r.name, ...['route', 'service', 'consumer'].map((f) => (isObject(r[f]) ? (r[f] as Row).id : null))]);
      const mine = key(row);
      for (const other of t.plugins.values()) {
        if (other.id !== row.id && key(other) === mine) {
          throw daoErrors.uniqueViolation({
            consumer: row.consumer ?? null, name: row.name, route: row.route ?? null, service: row.service ?? null,
          });
        }
      }
    }
    for (const rel of RELATIONS.filter((r) => r.entity === entity)) {
      const fk = row[rel.field];
      if (!isObject(fk)) continue;
      if (!t[rel.reference].has(fk.id as string)) throw daoErrors.foreignKeyInvalidReference({ id: fk.id }, rel.field, rel.reference);
    }
  }

  /** Validates an entity as an insert would, without storing it (`/schemas/{entity}/validate`). */
  validateOnly(entity: EntityName, input: Record<string, unknown>): void {
    const row = this.autoFields(entity, input, 'insert');
    this.validate(entity, row, false);
  }

  insert(t: Tables, entity: EntityName, input: Record<string, unknown>): Row {
    const row = this.autoFields(entity, input, 'insert');
    this.resolveForeign(t, entity, row);
    this.validate(entity, row, false);
    const r = row as Row;
    if (t[entity].has(r.id)) throw daoErrors.primaryKeyViolation({ id: r.id });
    this.checkConstraints(t, entity, r);
    t[entity].set(r.id, r);
    return r;
  }

  update(t: Tables, entity: EntityName, key: string, input: Record<string, unknown>): Row {
    const update = this.autoFields(entity, input, 'update');
    const field = this.keyField(entity, key);
    const existing = this.select(t, entity, key);
    if (!existing) throw field === 'id' ? daoErrors.notFound({ id: key }) : daoErrors.notFoundByField({ [field]: key });
    const merged = mergeValues(this.schemas[entity], update, existing) as Row;
    this.resolveForeign(t, entity, merged);
    this.validate(entity, merged, true);
    merged.id = existing.id;
    this.checkConstraints(t, entity, merged);
    t[entity].set(merged.id, merged);
    return merged;
  }

  upsert(t: Tables, entity: EntityName, key: string, input: Record<string, unknown>): Row {
    const field = this.keyField(entity, key);
    const existing = this.select(t, entity, key);
    const body = { ...input };
    if (field === 'id') body.id = key;
    else {
      body[field] = key;
      body.id = existing ? existing.id : input.id;
    }
    const row = this.autoFields(entity, body, 'upsert') as Row;
    this.resolveForeign(t, entity, row);
    this.validate(entity, row, false);
    this.checkConstraints(t, entity, row);
    t[entity].set(row.id, row);
    return row;
  }

  /** Deletes, refusing when restricted children exist and cascading to the rest. Missing → no-op. */
  delete(t: Tables, entity: EntityName, key: string): Row | null {
    const row = this.select(t, entity, key);
    if (!row) return null;
    for (const rel of RELATIONS.filter((r) => r.reference === entity && r.onDelete === 'restrict')) {
      for (const child of t[rel.entity].values()) {
        const fk = child[rel.field];
        if (isObject(fk) && fk.id === row.id) throw daoErrors.foreignKeyRestricted(entity, rel.entity);
      }
    }
    t[entity].delete(row.id);
    for (const rel of RELATIONS.filter((r) => r.reference === entity && r.onDelete === 'cascade')) {
      for (const child of [...t[rel.entity].values()]) {
        const fk = child[rel.field];
        if (isObject(fk) && fk.id === row.id) this.delete(t, rel.entity, child.id);
      }
    }
    return row;
  }

  page(t: Tables, entity: EntityName, opts: PageOptions): Page {
    let size = PAGE_SIZE;
    if (opts.size !== undefined) {
      const n = typeof opts.size === 'number' ? opts.size : Number(opts.size);
      if (opts.size === '' || Number.isNaN(n)) throw daoErrors.invalidSize('size must be a number');
      if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
        throw daoErrors.invalidSize(`size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
      }
      size = n;
    }
    let after: string | null = null;
    if (opts.offset !== undefined) {
      const raw = String(opts.offset);
      after = decodeOffset(raw);
    }
    let rows = [...t[entity].values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (opts.filter) rows = rows.filter(opts.filter);
    const tagFilter = parseTags(opts.tags);
    if (tagFilter) rows = rows.filter(tagFilter);
    if (after !== null) rows = rows.filter((r) => r.id > (after as string));
    const data = rows.slice(0, size);
    const more = rows.length > size;
    return more ? { data, offset: encodeOffset(data[data.length - 1].id) } : { data };
  }
}

function encodeOffset(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64');
}

function decodeOffset(raw: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw daoErrors.invalidOffset(raw, 'bad base64 encoding');
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  } catch {
    // fall through
  }
  throw daoErrors.invalidOffset(raw, 'bad json encoding');
}

/** `?tags=a,b` (all of) or `?tags=a/b` (any of), as `kong/api/endpoints.lua: extract_options`. */
function parseTags(tags: unknown): ((r: Row) => boolean) | null {
  if (tags === undefined) return null;
  const t = Array.isArray(tags) ? tags[0] : tags;
  if (typeof t !== 'string' || t === '') throw daoErrors.invalidOptions({ tags: 'cannot be null' });
  const has = (r: Row, tag: string): boolean => Array.isArray(r.tags) && r.tags.includes(tag);
  if (t.includes('/') && t.includes(',')) throw daoErrors.invalidOptions({ tags: 'invalid filter syntax' });
  if (t.includes('/')) {
    const any = t.split('/').filter(Boolean);
    return (r) => any.some((tag) => has(r, tag));
  }
  const all = t.split(',').filter(Boolean);
  return (r) => all.every((tag) => has(r, tag));
}

export { KongDaoError, type ErrorTreeObject };
