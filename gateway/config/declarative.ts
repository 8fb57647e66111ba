/**
 * Declarative configuration (`kong.yaml`), as `kong/db/declarative/init.lua` and
 * `kong/db/schema/others/declarative_config.lua` read it: `_format_version` ("1.1", "2.1",
 * "3.0"; older ones get the 3.0 route path migration), nested services→routes→plugins and
 * consumers→plugins, top-level routes/plugins referencing parents by name or id, per-item
 * validation with Kong's error tree, deterministic v5 ids, reference and uniqueness checks.
 * The result is the flat entity set the store loads.
 */
import { parse as parseYaml } from 'yaml';
import type { PluginCatalog } from './types';
import {
  processAutoFields, validateRecord, isObject, type FieldSpec, type RecordSchema,
} from './kong-schema';
import { daoErrors, type ErrorTreeObject } from './errors';
import { type EntityName, ENTITY_NAMES } from './entities';
import { entitySchemas } from './plugin-schemas';
import { expandServiceUrl } from './shorthands';
import { declarativeUuid, uuidV4 } from './uuid';
import { isValidUuid } from './field-validators';
import { MSG } from './schema-messages';
import { emptyTables, type Row, type Tables } from './dao';
import { normalizeUriPath } from './typedefs';

/** Children that may be nested in each entity, and the foreign key they get. */
const NESTED: Record<EntityName, Array<{ entity: EntityName; fk: string }>> = {
  services: [{ entity: 'routes', fk: 'service' }, { entity: 'plugins', fk: 'service' }],
  routes: [{ entity: 'plugins', fk: 'route' }],
  consumers: [{ entity: 'plugins', fk: 'consumer' }],
  plugins: [],
};
const FOREIGN_FIELDS: Record<EntityName, Array<{ field: string; reference: EntityName }>> = {
  services: [],
  routes: [{ field: 'service', reference: 'services' }],
  consumers: [],
  plugins: [
    { field: 'route', reference: 'routes' },
    { field: 'service', reference: 'services' },
    { field: 'consumer', reference: 'consumers' },
  ],
};
const TOP_LEVEL_META = ['_format_version', '_transform', '_comment', '_ignore'];

export interface DeclarativeResult {
  tables: Tables;
  meta: { _format_version: string; _transform: boolean };
}

/** `unserialize`: JSON first, then YAML; Kong's parse error message. */
export function parseDeclarativeText(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      const err = `failed parsing declarative configuration: ${(e as Error).message.split('\n')[0]}`;
      throw Object.assign(daoErrors.declarativeConfig({ error: err }), { parseError: err });
    }
  }
  if (!isObject(value)) {
    const err = 'failed parsing declarative configuration: expected an object';
    throw Object.assign(daoErrors.declarativeConfig({ error: err }), { parseError: err });
  }
  return value;
}

/** The 2.x→3.0 route path migration: paths that are not plain prefixes become `~` regexes. */
function migrateRoutePaths(dc: Record<string, unknown>): void {
  const v = dc._format_version;
  if (v !== '1.1' && v !== '2.1') return;
  const migrate = (routes: unknown): void => {
    if (!Array.isArray(routes)) return;
    for (const r of routes) {
      if (!isObject(r) || !Array.isArray(r.paths)) continue;
      r.paths = r.paths.map((p: unknown) =>
        typeof p !== 'string' ? p : /^[a-zA-Z0-9.\-_~/%]*$/.test(p) ? normalizeUriPath(p) : `~${p}`);
    }
  };
  migrate(dc.routes);
  if (Array.isArray(dc.services)) for (const s of dc.services) if (isObject(s)) migrate(s.routes);
  dc._format_version = '3.0';
}

/** An entity schema as it appears in the file: foreign keys are strings at top level and must be absent when nested. */
function declarativeSchema(base: RecordSchema, entity: EntityName, nested: boolean): RecordSchema {
  const foreign = new Set(FOREIGN_FIELDS[entity].map((f) => f.field));
  const fields = base.fields.map((item) => {
    const [name] = Object.keys(item);
    if (!foreign.has(name)) return item;
    const spec: FieldSpec = nested
      ? { ...item[name], eq: null, default: null, required: false }
      : { type: 'string' };
    return { [name]: spec };
  });
  fields.push({ _comment: { type: 'string' } }, { _ignore: { type: 'array', elements: { type: 'any' as FieldSpec['type'] } } });
  return { ...base, fields };
}

interface Item {
  entity: EntityName;
  row: Record<string, unknown>;
  /** where this item sits in the file, e.g. ['services', 0, 'routes', 1]: its errors go there */
  at: Array<string | number>;
  parent?: { entity: EntityName; row: Record<string, unknown>; fk: string };
}

/** Merges `value` into the error tree at `path`, creating arrays for list positions. */
function mergeErrorAt(root: ErrorTreeObject, path: Array<string | number>, value: ErrorTreeObject | string): void {
  let node: Record<string | number, unknown> = root as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    if (node[key] === undefined || node[key] === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  const leaf = path[path.length - 1];
  if (typeof value === 'object' && node[leaf] !== null && typeof node[leaf] === 'object') Object.assign(node[leaf] as object, value);
  else node[leaf] = value;
}

/** JSON arrays cannot have holes: Kong's cjson writes them as null. */
function fillHoles(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from({ length: v.length }, (_, i) => (v[i] === undefined ? null : fillHoles(v[i])));
  if (isObject(v)) for (const k of Object.keys(v)) v[k] = fillHoles(v[k]);
  return v;
}

export class DeclarativeLoader {
  private readonly schemas: Record<EntityName, RecordSchema>;

  constructor(catalog: PluginCatalog, private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.schemas = entitySchemas(catalog);
  }

  /** Parses and flattens; throws Kong's declarative config error (code 14). */
  loadText(text: string): DeclarativeResult {
    return this.load(parseDeclarativeText(text));
  }

  load(input: Record<string, unknown>): DeclarativeResult {
    const dc = structuredClone(input);
    migrateRoutePaths(dc);
    const errs: ErrorTreeObject = {};
    this.validateTopLevel(dc, errs);
    const items: Item[] = [];
    for (const entity of ENTITY_NAMES) {
      const list = dc[entity];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        errs[entity] = MSG.ARRAY;
        continue;
      }
      this.collect(entity, list, false, undefined, errs, [entity], items);
    }
    if (Object.keys(errs).length > 0) throw daoErrors.declarativeConfig(fillHoles(errs));
    return this.flatten(dc, items);
  }

  private validateTopLevel(dc: Record<string, unknown>, errs: ErrorTreeObject): void {
    const v = dc._format_version;
    if (v === undefined || v === null) errs._format_version = MSG.REQUIRED;
    else if (typeof v !== 'string') errs._format_version = MSG.STRING;
    else if (!['1.1', '2.1', '3.0'].includes(v)) errs._format_version = 'expected one of: 1.1, 2.1, 3.0';
    if (dc._transform !== undefined && dc._transform !== null && typeof dc._transform !== 'boolean') errs._transform = MSG.BOOLEAN;
    if (dc._comment !== undefined && typeof dc._comment !== 'string') errs._comment = MSG.STRING;
    for (const k of Object.keys(dc)) {
      if (!TOP_LEVEL_META.includes(k) && !ENTITY_NAMES.includes(k as EntityName)) errs[k] = MSG.UNKNOWN;
    }
  }

  /** Validates each item of a list (recursing into nested children) and records it for flattening. */
  private collect(
    entity: EntityName,
    list: unknown[],
    nested: boolean,
    parent: Item['parent'],
    errs: ErrorTreeObject,
    at: Array<string | number>,
    items: Item[],
  ): void {
    const schema = declarativeSchema(this.schemas[entity], entity, nested);
    list.forEach((raw, index) => {
      const here = [...at, index];
      if (!isObject(raw)) {
        mergeErrorAt(errs, here, MSG.RECORD);
        return;
      }
      const row: Record<string, unknown> = { ...raw };
      const itemErrs: ErrorTreeObject = {};
      const children: Array<{ child: EntityName; fk: string; list: unknown }> = [];
      for (const { entity: child, fk } of NESTED[entity]) {
        if (row[child] !== undefined) {
          children.push({ child, fk, list: row[child] });
          delete row[child];
        }
      }
      if (entity === 'services') Object.assign(itemErrs, expandServiceUrl(row) ?? {});
      const filled = processAutoFields(schema, row, 'insert', { now: this.now() });
      Object.assign(itemErrs, validateRecord(schema, filled) ?? {});
      if (Object.keys(itemErrs).length > 0) mergeErrorAt(errs, here, itemErrs);
      items.push({ entity, row, at: here, parent });
      for (const { child, fk, list: childList } of children) {
        if (!Array.isArray(childList)) mergeErrorAt(errs, [...here, child], MSG.ARRAY);
        else this.collect(child, childList, true, { entity, row, fk }, errs, [...here, child], items);
      }
    });
  }

  /** `generate_ids` key: cache key for plugins, the unique endpoint key for others. */
  private idFor(item: Item): string {
    const { entity, row } = item;
    if (isValidUuid(row.id)) return row.id as string;
    if (entity === 'plugins') {
      const parts = ['plugins', '*', row.name as string];
      for (const f of ['route', 'service', 'consumer']) {
        if (typeof row[f] === 'string') parts.push(row[f] as string);
        else if (item.parent?.fk === f) parts.push(item.parent.row.id as string);
        else parts.push('');
      }
      return declarativeUuid('plugins', parts.join(':'));
    }
    const key = entity === 'consumers' ? row.username : row.name;
    if (typeof key === 'string' && key !== '') return declarativeUuid(entity, key);
    // Kong would use a random id here; a position-based one keeps restarts stable
    return declarativeUuid(entity, `#position:${item.at.join('.')}`);
  }

  private flatten(dc: Record<string, unknown>, items: Item[]): DeclarativeResult {
    // parents are pushed after their children in collect(); ids must exist parents-first
    const ordered = [...items].sort((a, b) => a.at.length - b.at.length);
    for (const item of ordered) item.row.id = this.idFor(item);
    const errs: ErrorTreeObject = {};
    const addErr = (entity: EntityName, at: string, msg: string): void => {
      const e = (errs[entity] as unknown as Record<string, string[]>) ?? {};
      (e[at] ??= []).push(msg);
      errs[entity] = e as unknown as ErrorTreeObject;
    };
    const tables = emptyTables();
    const byKey: Record<EntityName, Map<string, Row>> = {
      services: new Map(), routes: new Map(), consumers: new Map(), plugins: new Map(),
    };
    const uniqueErrs: ErrorTreeObject = {};
    const uniqueErr = (it: Item, msg: string): void => mergeErrorAt(uniqueErrs, it.at, msg);
    let uniquenessFailed = false;
    for (const item of ordered) {
      const { entity, row } = item;
      if (item.parent) row[item.parent.fk] = { id: item.parent.row.id };
      const endpointKey = entity === 'consumers' ? 'username' : entity === 'plugins' ? 'instance_name' : 'name';
      const key = row[endpointKey];
      if (typeof key === 'string') {
        if (byKey[entity].has(key)) {
          uniqueErr(item, `uniqueness violation: '${entity}' entity with ${endpointKey} set to '${key}' already declared`);
          uniquenessFailed = true;
          continue;
        }
        byKey[entity].set(key, row as Row);
      }
      if (tables[entity].has(row.id as string)) {
        uniqueErr(item, `uniqueness violation: '${entity}' entity with primary key set to '${row.id as string}' already declared`);
        uniquenessFailed = true;
        continue;
      }
      tables[entity].set(row.id as string, row as Row);
    }
    if (uniquenessFailed) throw daoErrors.declarativeConfig(fillHoles(uniqueErrs));

    // resolve top-level string references by endpoint key or id
    for (const item of ordered) {
      const { entity, row } = item;
      for (const { field, reference } of FOREIGN_FIELDS[entity]) {
        const v = row[field];
        if (typeof v !== 'string') continue;
        const found = byKey[reference].get(v) ?? tables[reference].get(v);
        if (found) row[field] = { id: found.id };
        else {
          const at = (entity === 'plugins' ? row.instance_name : entity === 'consumers' ? row.username : row.name) ?? row.id;
          addErr(entity, at as string, `invalid reference '${field}: ${v}' (no such entry in '${reference}')`);
        }
      }
    }
    if (Object.keys(errs).length > 0) throw daoErrors.declarativeConfig(errs);

    // fill defaults and timestamps; timestamps given in the file are kept (round-trip)
    const now = this.now();
    for (const entity of ENTITY_NAMES) {
      for (const [id, row] of tables[entity]) {
        const given = { created_at: row.created_at, updated_at: row.updated_at };
        const clean: Record<string, unknown> = { ...row };
        delete clean._comment;
        delete clean._ignore;
        for (const { entity: child } of NESTED[entity]) delete clean[child];
        const filled = processAutoFields(this.schemas[entity], clean, 'insert', { now, newId: uuidV4 }) as Row;
        if (typeof given.created_at === 'number') filled.created_at = given.created_at;
        if (typeof given.updated_at === 'number') filled.updated_at = given.updated_at;
        tables[entity].set(id, filled);
      }
    }
    this.checkUniqueFields(tables);
    return {
      tables,
      meta: { _format_version: dc._format_version as string, _transform: dc._transform !== false },
    };
  }

  /** Unique fields that are not endpoint keys (consumers.custom_id), checked after flattening as Kong does. */
  private checkUniqueFields(tables: Tables): void {
    const seen = new Map<string, string>();
    const errs: Record<string, Record<string, string>> = {};
    for (const row of tables.consumers.values()) {
      const v = row.custom_id;
      if (typeof v !== 'string') continue;
      if (seen.has(v)) {
        errs.consumers = errs.consumers ?? {};
        errs.consumers[(row.username as string | null) ?? row.id] =
          `uniqueness violation: 'consumers' entity with custom_id set to '${v}' already declared`;
      } else seen.set(v, row.id);
    }
    if (Object.keys(errs).length > 0) throw daoErrors.declarativeConfig(errs);
  }
}
