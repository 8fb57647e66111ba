/**
 * The auto-generated entity endpoints of Kong's Admin API (`kong/api/endpoints.lua`):
 *   /{entity}                         GET (page) POST
 *   /{entity}/{id|key}                GET PATCH PUT DELETE
 *   /{entity}/{id|key}/{fk}           GET PATCH PUT DELETE   e.g. /routes/{r}/service
 *   /{parent}/{id|key}/{entity}       GET POST               e.g. /services/{s}/routes
 *   /{parent}/{id|key}/{entity}/{k}   GET PATCH PUT DELETE   e.g. /services/{s}/routes/{r}
 * plus the plugin and consumer customisations of `kong/api/routes/{plugins,consumers}.lua`.
 */
import type { ConfigStore } from '../config/store';
import type { EntityName } from '../config/entities';
import { ENTITY_NAMES, RELATIONS } from '../config/entities';
import type { Row } from '../config/dao';
import { isObject } from '../config/kong-schema';
import { uuidV4 } from '../config/uuid';
import { inferArgs } from './form-args';
import { HttpError } from './http-io';

export interface EntityRequest {
  method: string;
  segments: string[];
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  isForm: boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
}

const NOT_FOUND: Reply = { status: 404, body: { message: 'Not found' } };
const METHOD_NOT_ALLOWED: Reply = { status: 405, body: { message: 'Method not allowed' } };

const isEntity = (s: string | undefined): s is EntityName => ENTITY_NAMES.includes(s as EntityName);

export class EntityEndpoints {
  constructor(private readonly store: ConfigStore) {}

  private args(entity: EntityName, req: EntityRequest, body = req.body): Record<string, unknown> {
    if (!req.isForm) return body;
    const schema = this.store.dao.schemas[entity];
    return inferArgs(structuredClone(body), schema);
  }

  private pageReply(entity: EntityName, req: EntityRequest, nextBase: string, filter?: (r: Row) => boolean): Reply {
    const page = this.store.page(entity, { size: req.query.size, offset: req.query.offset, tags: req.query.tags, filter });
    let next: string | null = null;
    if (page.offset) {
      next = `${nextBase}?offset=${encodeURIComponent(page.offset)}`;
      if (!nextBase.includes('/', 1)) {
        if (typeof req.query.tags === 'string') next += `&tags=${encodeURIComponent(req.query.tags)}`;
        if (req.query.size !== undefined) next += `&size=${String(req.query.size)}`;
      }
    }
    return { status: 200, body: page.offset ? { data: page.data, offset: page.offset, next } : { data: page.data, next } };
  }

  /** Returns null when the path is not an entity endpoint. */
  handle(req: EntityRequest): Reply | null {
    const [a, b, c, d] = req.segments;
    if (!isEntity(a) || req.segments.length > 4) return null;
    const m = req.method;
    if (req.segments.length === 1) {
      if (m === 'GET') return this.getCollection(a, req);
      if (m === 'POST') return { status: 201, body: this.store.insert(a, this.pluginArgs(a, req)) };
      return METHOD_NOT_ALLOWED;
    }
    if (req.segments.length === 2) return this.entity(a, b, req);
    const fkRel = RELATIONS.find((r) => r.entity === a && r.field === c);
    if (req.segments.length === 3 && fkRel) return this.foreignEntity(a, b, fkRel.field, fkRel.reference, req);
    const childRel = RELATIONS.find((r) => r.reference === a && r.entity === c);
    if (!childRel) return null;
    if (req.segments.length === 3) return this.nestedCollection(a, b, childRel.entity, childRel.field, req);
    return this.nestedEntity(a, b, childRel.entity, childRel.field, d, req);
  }

  /** Plugins read form fields with the subschema of the plugin named in the body (`patch_plugin`). */
  private pluginArgs(entity: EntityName, req: EntityRequest, existing?: Row | null): Record<string, unknown> {
    if (entity === 'plugins' && req.isForm && req.body.name === undefined && existing) {
      return this.args(entity, req, { ...req.body, name: existing.name });
    }
    return this.args(entity, req);
  }

  private getCollection(entity: EntityName, req: EntityRequest): Reply {
    if (entity === 'consumers' && req.query.custom_id !== undefined) {
      const customId = req.query.custom_id;
      if (typeof customId !== 'string' || customId === '') {
        return { status: 400, body: { message: 'custom_id must be an unempty string' } };
      }
      const found = this.store.page('consumers', { filter: (r) => r.custom_id === customId, size: 1 }).data;
      return { status: 200, body: { data: found, next: null } };
    }
    return this.pageReply(entity, req, `/${entity}`);
  }

  private entity(entity: EntityName, key: string, req: EntityRequest): Reply {
    switch (req.method) {
      case 'GET': {
        const row = this.store.select(entity, key);
        return row ? { status: 200, body: row } : NOT_FOUND;
      }
      case 'PATCH': {
        const existing = entity === 'plugins' && req.body.name === undefined ? this.store.select(entity, key) : null;
        if (entity === 'plugins' && req.isForm && req.body.name === undefined && !existing) return NOT_FOUND;
        return { status: 200, body: this.store.update(entity, key, this.pluginArgs(entity, req, existing)) };
      }
      case 'PUT':
        return { status: 200, body: this.store.upsert(entity, key, this.args(entity, req)) };
      case 'DELETE':
        this.store.delete(entity, key);
        return { status: 204 };
      default:
        return METHOD_NOT_ALLOWED;
    }
  }

  /** /routes/{r}/service, /plugins/{p}/route, ... */
  private foreignEntity(entity: EntityName, key: string, field: string, reference: EntityName, req: EntityRequest): Reply {
    const row = this.store.select(entity, key);
    if (!row) return NOT_FOUND;
    const fk = row[field];
    const fkId = isObject(fk) ? (fk.id as string) : null;
    switch (req.method) {
      case 'GET': {
        if (!fkId) return NOT_FOUND;
        const target = this.store.select(reference, fkId);
        return target ? { status: 200, body: target } : NOT_FOUND;
      }
      case 'PATCH':
        if (!fkId) return NOT_FOUND;
        return { status: 200, body: this.store.update(reference, fkId, this.args(reference, req)) };
      case 'PUT': {
        const target = this.store.upsert(reference, fkId ?? uuidV4(), this.args(reference, req));
        if (!fkId) this.store.update(entity, row.id, { [field]: { id: target.id } });
        return { status: 200, body: target };
      }
      case 'DELETE':
        return fkId ? METHOD_NOT_ALLOWED : NOT_FOUND;
      default:
        return METHOD_NOT_ALLOWED;
    }
  }

  /** /services/{s}/routes, /routes/{r}/plugins, ... */
  private nestedCollection(parent: EntityName, key: string, entity: EntityName, field: string, req: EntityRequest): Reply {
    const p = this.store.select(parent, key);
    if (!p) return NOT_FOUND;
    if (req.method === 'GET') {
      return this.pageReply(entity, req, `/${parent}/${key}/${entity}`, (r) => isObject(r[field]) && (r[field] as Row).id === p.id);
    }
    if (req.method === 'POST') {
      const body = { ...this.args(entity, req), [field]: { id: p.id } };
      return { status: 201, body: this.store.insert(entity, body) };
    }
    return METHOD_NOT_ALLOWED;
  }

  /** /services/{s}/routes/{r}: the child must belong to the parent. */
  private nestedEntity(parent: EntityName, key: string, entity: EntityName, field: string, childKey: string, req: EntityRequest): Reply {
    const p = this.store.select(parent, key);
    if (!p) return NOT_FOUND;
    const belongs = (r: Row | null): r is Row => !!r && isObject(r[field]) && (r[field] as Row).id === p.id;
    switch (req.method) {
      case 'GET': {
        const child = this.store.select(entity, childKey);
        return belongs(child) ? { status: 200, body: child } : NOT_FOUND;
      }
      case 'PATCH': {
        const child = this.store.select(entity, childKey);
        if (!belongs(child)) return NOT_FOUND;
        const args = this.pluginArgs(entity, req, child);
        if (args[field] === undefined) args[field] = { id: p.id };
        return { status: 200, body: this.store.update(entity, childKey, args) };
      }
      case 'PUT': {
        const args = { ...this.args(entity, req), [field]: { id: p.id } };
        return { status: 200, body: this.store.upsert(entity, childKey, args) };
      }
      case 'DELETE': {
        const child = this.store.select(entity, childKey);
        if (!belongs(child)) return NOT_FOUND;
        this.store.delete(entity, childKey);
        return { status: 204 };
      }
      default:
        return METHOD_NOT_ALLOWED;
    }
  }
}

export { HttpError };
