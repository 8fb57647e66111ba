/**
 * The configuration store: Kong's two modes.
 * - `db`: entity writes through the Admin API; the entity set is persisted atomically as JSON
 *   under `dataDir` and survives restarts. `declarativeFile` only seeds the very first start
 *   (like `kong config db_import` on an empty database).
 * - `off` (`KONG_DATABASE=off`): entity writes are refused as Kong's off strategy refuses them
 *   (`kong/db/strategies/off/init.lua`); the whole config is replaced by `POST /config`,
 *   after validation, or nothing changes. The last accepted config is kept under `dataDir`
 *   (Kong keeps it in LMDB) and used at start when no `declarativeFile` is given.
 * Every accepted change produces a new ConfigSnapshot and notifies `onChange` listeners.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { ConfigSnapshot, ConfigSource, PluginCatalog } from './types';
import { EntityDao, cloneTables, emptyTables, type Page, type PageOptions, type Row, type Tables } from './dao';
import { DeclarativeLoader, parseDeclarativeText } from './declarative';
import { exportDeclarativeObject, exportDeclarativeYaml } from './declarative-export';
import { daoErrors, KongDaoError } from './errors';
import { ENTITY_NAMES, type EntityName } from './entities';
import { readJsonIfExists, writeJsonAtomic } from './persist';
import { uuidV4 } from './uuid';
import { isValidUuid } from './field-validators';

/** Kong's fixed default workspace id in DB-less mode (`kong/constants.lua`). */
export const DECLARATIVE_DEFAULT_WORKSPACE_ID = '0dc6f45b-8f8d-40d2-a504-473544ee190b';
const EMPTY_CONFIG_HASH = '0'.repeat(32);
const DB_FILE = 'kong-db.json';
const DBLESS_FILE = 'kong-dbless.json';

export type DatabaseMode = 'db' | 'off';
type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ConfigStoreOptions {
  mode: DatabaseMode;
  /** Where DB mode keeps its data (and DB-less its last config). Required for `db`. */
  dataDir?: string;
  /** kong.yaml: seeds the first start in DB mode; the configuration in DB-less mode. */
  declarativeFile?: string;
  catalog: PluginCatalog;
  now?: () => number;
  log?: Logger;
}

interface PersistedDb {
  format: 'kong-api-shield/db@1';
  workspaceId: string;
  entities: Record<EntityName, Row[]>;
}

const OPERATION_VERBS = { insert: 'create', update: 'update', upsert: 'create or update', delete: 'remove' } as const;

export class ConfigStore implements ConfigSource {
  readonly dao: EntityDao;
  private tables: Tables = emptyTables();
  private version = 0;
  private current!: ConfigSnapshot;
  private hash = EMPTY_CONFIG_HASH;
  private readonly listeners = new Set<(s: ConfigSnapshot) => void>();
  private readonly loader: DeclarativeLoader;
  private readonly log: Logger;

  private constructor(
    readonly mode: DatabaseMode,
    readonly catalog: PluginCatalog,
    private readonly dataDir: string | undefined,
    private workspaceId: string,
    now: () => number,
    log: Logger,
  ) {
    this.dao = new EntityDao(catalog, now);
    this.loader = new DeclarativeLoader(catalog, now);
    this.log = log;
  }

  static async open(opts: ConfigStoreOptions): Promise<ConfigStore> {
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    const log: Logger = opts.log ?? ((level, msg) => (level === 'info' ? undefined : console.error(`[config] ${level}: ${msg}`)));
    if (opts.mode === 'db') {
      if (!opts.dataDir) throw new Error('ConfigStore: dataDir is required in db mode');
      const file = path.join(opts.dataDir, DB_FILE);
      const stored = readJsonIfExists(file) as PersistedDb | undefined;
      const store = new ConfigStore('db', opts.catalog, opts.dataDir, stored?.workspaceId ?? uuidV4(), now, log);
      if (stored) {
        store.tables = tablesFromRows(stored.entities);
        store.warnUnknownPlugins();
      } else {
        if (opts.declarativeFile) {
          store.tables = store.loadFile(opts.declarativeFile).tables;
          log('info', `seeded the database from ${opts.declarativeFile}`);
        }
        store.persist();
      }
      store.commit(store.tables);
      return store;
    }
    const store = new ConfigStore('off', opts.catalog, opts.dataDir, DECLARATIVE_DEFAULT_WORKSPACE_ID, now, log);
    if (opts.declarativeFile) {
      const text = fs.readFileSync(opts.declarativeFile, 'utf8');
      store.tables = store.loadFile(opts.declarativeFile, text).tables;
      store.hash = md5(text);
    } else if (opts.dataDir) {
      const stored = readJsonIfExists(path.join(opts.dataDir, DBLESS_FILE)) as { hash: string; entities: Record<EntityName, Row[]> } | undefined;
      if (stored) {
        store.tables = tablesFromRows(stored.entities);
        store.hash = stored.hash;
        store.warnUnknownPlugins();
      }
    }
    store.commit(store.tables);
    return store;
  }

  private loadFile(file: string, text = fs.readFileSync(file, 'utf8')) {
    try {
      return this.loader.loadText(text);
    } catch (e) {
      if (e instanceof KongDaoError) throw new Error(`error parsing declarative config file ${file}:\n${e.body.message ?? ''}`);
      throw e;
    }
  }

  private warnUnknownPlugins(): void {
    for (const p of this.tables.plugins.values()) {
      if (!this.catalog.get(p.name as string)) this.log('warn', `plugin '${String(p.name)}' is configured but not enabled; it will not run`);
    }
  }

  // --- ConfigSource -------------------------------------------------------------------------

  snapshot(): ConfigSnapshot {
    return this.current;
  }

  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(tables: Tables): void {
    this.tables = tables;
    this.version++;
    const list = (e: EntityName): unknown[] => [...tables[e].values()].map((r) => structuredClone(r));
    this.current = Object.freeze({
      version: this.version,
      workspaceId: this.workspaceId,
      services: list('services') as ConfigSnapshot['services'],
      routes: list('routes') as ConfigSnapshot['routes'],
      consumers: list('consumers') as ConfigSnapshot['consumers'],
      plugins: list('plugins') as ConfigSnapshot['plugins'],
    });
    if (this.version === 1) return;
    for (const l of this.listeners) {
      try {
        l(this.current);
      } catch (e) {
        this.log('error', `onChange listener failed: ${(e as Error).message}`);
      }
    }
  }

  private persist(): void {
    if (this.mode !== 'db' || !this.dataDir) return;
    const data: PersistedDb = { format: 'kong-api-shield/db@1', workspaceId: this.workspaceId, entities: rowsFromTables(this.tables) };
    writeJsonAtomic(path.join(this.dataDir, DB_FILE), data);
  }

  // --- entity access (Admin API) -----------------------------------------------------------

  select(entity: EntityName, key: string): Row | null {
    const row = this.dao.select(this.tables, entity, key);
    return row ? structuredClone(row) : null;
  }

  page(entity: EntityName, opts: PageOptions): Page {
    const p = this.dao.page(this.tables, entity, opts);
    return { ...p, data: p.data.map((r) => structuredClone(r)) };
  }

  private write<T>(op: keyof typeof OPERATION_VERBS, entity: EntityName, key: string | undefined, fn: (t: Tables) => T): T {
    if (this.mode === 'off') {
      const by = key !== undefined && !isValidUuid(key) ? ` by '${this.dao.endpointKey(entity)}'` : '';
      throw daoErrors.operationUnsupported(`cannot ${OPERATION_VERBS[op]} '${entity}' entities${by} when not using a database`);
    }
    const draft = cloneTables(this.tables);
    const result = fn(draft);
    const previous = this.tables;
    this.tables = draft;
    try {
      this.persist();
    } catch (e) {
      this.tables = previous;
      this.log('error', `could not persist the configuration: ${(e as Error).message}`);
      throw new KongDaoError({ code: 8, name: 'database error', message: 'could not persist the configuration' });
    }
    this.commit(draft);
    return result;
  }

  insert(entity: EntityName, body: Record<string, unknown>): Row {
    return structuredClone(this.write('insert', entity, undefined, (t) => this.dao.insert(t, entity, body)));
  }

  update(entity: EntityName, key: string, body: Record<string, unknown>): Row {
    return structuredClone(this.write('update', entity, key, (t) => this.dao.update(t, entity, key, body)));
  }

  upsert(entity: EntityName, key: string, body: Record<string, unknown>): Row {
    return structuredClone(this.write('upsert', entity, key, (t) => this.dao.upsert(t, entity, key, body)));
  }

  delete(entity: EntityName, key: string): void {
    if (this.mode === 'db' && !this.dao.select(this.tables, entity, key)) return;
    this.write('delete', entity, key, (t) => this.dao.delete(t, entity, key));
  }

  validateEntity(entity: EntityName, body: Record<string, unknown>): void {
    this.dao.validateOnly(entity, body);
  }

  // --- declarative (DB-less) --------------------------------------------------------------

  /** `POST /config`: validates, then replaces everything. Returns the flattened entities (Kong's 201 body). */
  loadDeclarative(input: string | Record<string, unknown>): Record<EntityName, Record<string, Row>> {
    if (this.mode !== 'off') throw new Error('loadDeclarative is only available in DB-less mode');
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const dc = typeof input === 'string' ? parseDeclarativeText(input) : input;
    const { tables } = this.loader.load(dc);
    this.hash = md5(text);
    if (this.dataDir) {
      writeJsonAtomic(path.join(this.dataDir, DBLESS_FILE), { hash: this.hash, entities: rowsFromTables(tables) });
    }
    this.commit(tables);
    const out = {} as Record<EntityName, Record<string, Row>>;
    for (const e of ENTITY_NAMES) out[e] = Object.fromEntries([...tables[e]].map(([id, r]) => [id, structuredClone(r)]));
    return out;
  }

  /** The hash `POST /config?check_hash=1` compares against and `GET /status` reports. */
  configurationHash(): string {
    return this.hash;
  }

  wouldChangeHash(input: string | Record<string, unknown>): boolean {
    return md5(typeof input === 'string' ? input : JSON.stringify(input)) !== this.hash;
  }

  exportYaml(): string {
    return exportDeclarativeYaml(this.current);
  }

  exportObject(): Record<string, unknown> {
    return exportDeclarativeObject(this.current);
  }

  /** Distinct plugin names in use (`GET /` → `plugins.enabled_in_cluster`). */
  pluginsInUse(): string[] {
    return [...new Set([...this.tables.plugins.values()].map((p) => p.name as string))];
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function tablesFromRows(entities: Partial<Record<EntityName, Row[]>>): Tables {
  const t = emptyTables();
  for (const e of ENTITY_NAMES) for (const r of entities[e] ?? []) t[e].set(r.id, r);
  return t;
}

function rowsFromTables(t: Tables): Record<EntityName, Row[]> {
  return {
    services: [...t.services.values()],
    routes: [...t.routes.values()],
    consumers: [...t.consumers.values()],
    plugins: [...t.plugins.values()],
  };
}
