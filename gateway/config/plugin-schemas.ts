/**
 * Plugin subschemas from the PluginCatalog: the `Schema` a pluginserver reports, made into what
 * Kong registers (`kong/db/schema/plugin_loader.lua: load_subschema` → metaschema check →
 * `kong/db/schema/entity.lua: Entity.new_subschema`, which makes records required unless they
 * say otherwise, so a plugin's config always comes back with every default filled in).
 */
import type { KongFieldDef, PluginCatalog, PluginInfo } from './types';
import type { FieldSpec, RecordSchema } from './kong-schema';
import { pluginSchemaProblem } from './metaschema';
import { consumersSchema, pluginsSchema, routesSchema, servicesSchema, type EntityName } from './entities';

/** MessagePack nil values never reach Lua tables: drop null-valued keys as Kong would see them. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

function makeRecordsRequired(field: { required?: unknown; fields?: KongFieldDef[] }): void {
  if (field.required === undefined) field.required = true;
  for (const item of field.fields ?? []) {
    const f = Object.values(item)[0] as FieldSpec | undefined;
    if (f && f.type === 'record') makeRecordsRequired(f);
  }
}

export interface LoadedPluginSchema {
  schema?: RecordSchema;
  /** why Kong would refuse this plugin (metaschema violation) */
  problem?: string;
}

const cache = new WeakMap<PluginInfo, LoadedPluginSchema>();

export function loadPluginSchema(info: PluginInfo): LoadedPluginSchema {
  let loaded = cache.get(info);
  if (!loaded) {
    const raw = stripNulls(info.Schema) as RecordSchema;
    const problem = pluginSchemaProblem(raw);
    if (problem) loaded = { problem };
    else {
      const def = structuredClone(raw) as RecordSchema & { required?: unknown };
      makeRecordsRequired(def);
      delete def.required;
      loaded = { schema: def };
    }
    cache.set(info, loaded);
  }
  return loaded;
}

/** The subschema lookup the plugins entity uses: only plugins whose schema Kong would accept. */
export function catalogSubschemas(catalog: PluginCatalog): (name: string) => RecordSchema | undefined {
  return (name) => {
    const info = catalog.get(name);
    return info ? loadPluginSchema(info).schema : undefined;
  };
}

/** The four entity schemas, with the plugins schema built from the catalog's plugin subschemas. */
export function entitySchemas(catalog: PluginCatalog): Record<EntityName, RecordSchema> {
  return {
    services: servicesSchema,
    routes: routesSchema,
    consumers: consumersSchema,
    plugins: pluginsSchema(catalogSubschemas(catalog)),
  };
}
