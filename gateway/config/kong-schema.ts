/**
 * Kong's schema DSL (`kong/db/schema/init.lua`), as JSON: filling defaults and auto fields
 * (`process_auto_fields`) and validating (`validate`, `validate_field`), with Kong's error tree
 * and messages. A plugin's config schema as the pluginserver reports it goes through
 * `pluginConfigSchema` first, which applies what `Entity.new_subschema` does (records are
 * required unless they say otherwise, so their defaults are always filled).
 *
 * Conventions: JSON `null` is Lua's `ngx.null`; an absent key (`undefined`) is Lua's `nil`.
 */
import type { KongFieldDef, KongFieldSpec } from './types';
import { MSG, fmt } from './schema-messages';
import { runValidators } from './field-validators';
import { runEntityChecks, type EntityCheck } from './entity-checks';
import type { ErrorTree, ErrorTreeObject } from './errors';

export type FieldSpec = KongFieldSpec;

export interface RecordSchema {
  name?: string;
  fields: KongFieldDef[];
  entity_checks?: EntityCheck[];
  /** Field whose value selects a subschema (plugins: `name`, routes: `protocols`). */
  subschema_key?: string;
  subschema_error?: string;
  subschemas?: (key: string) => RecordSchema | undefined;
  primary_key?: string[];
  endpoint_key?: string;
  cache_key?: string[];
  [other: string]: unknown;
}

export type Context = 'insert' | 'update' | 'upsert';

export interface AutoFieldOptions {
  /** Current time in seconds for created_at/updated_at. */
  now?: number;
  newId?: () => string;
}

const byNameCache = new WeakMap<object, Map<string, FieldSpec>>();

export function fieldsByName(schema: { fields?: KongFieldDef[] }): Map<string, FieldSpec> {
  let m = byNameCache.get(schema);
  if (!m) {
    m = new Map();
    for (const item of schema.fields ?? []) {
      const [name] = Object.keys(item);
      if (name !== undefined) m.set(name, item[name]);
    }
    byNameCache.set(schema, m);
  }
  return m;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lua tables: a JSON array or object. An empty table is both a valid array and a valid record. */
function isTable(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function isSequence(v: unknown): v is unknown[] {
  if (Array.isArray(v)) return true;
  return isObject(v) && Object.keys(v).length === 0;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  if (isObject(v)) return v;
  if (Array.isArray(v) && v.length === 0) return {};
  return null;
}

export function deepCopy<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

export function getSubschema(schema: RecordSchema, input: Record<string, unknown>): RecordSchema | undefined {
  if (!schema.subschemas || !schema.subschema_key) return undefined;
  const key = input[schema.subschema_key];
  if (typeof key === 'string') return schema.subschemas(key);
  if (Array.isArray(key)) {
    for (const k of key) {
      if (typeof k !== 'string') continue;
      const ss = schema.subschemas(k);
      if (ss) return ss;
    }
  }
  return undefined;
}

/** `Schema:each_field(values)`: the schema's fields, with subschema specialisations applied. */
export function eachField(schema: RecordSchema, values?: Record<string, unknown>): Array<[string, FieldSpec]> {
  const ss = values ? getSubschema(schema, values) : undefined;
  const ssFields = ss ? fieldsByName(ss) : undefined;
  const out: Array<[string, FieldSpec]> = [];
  for (const [name, field] of fieldsByName(schema)) out.push([name, ssFields?.get(name) ?? field]);
  return out;
}

function handleMissingField(field: FieldSpec, value: unknown): unknown {
  if (field.default !== undefined) return deepCopy(field.default);
  if (field.nilable) return value;
  if (field.required !== true) return null;
  if (field.abstract) return undefined;
  if (field.type === 'record') return processAutoFields(field as unknown as RecordSchema, {}, 'insert');
  return undefined;
}

function shouldRecurseRecord(context: Context, value: unknown, field: FieldSpec): boolean {
  if (context === 'update') return value !== null && value !== undefined;
  return value !== null && (value !== undefined || field.required === true);
}

function makeSet(values: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const v of values) {
    if (typeof v === 'object' && v !== null) {
      out.push(v);
    } else if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

function adjustFieldForContext(field: FieldSpec, value: unknown, context: Context): unknown {
  if (field.abstract) return value;
  if (field.type === 'record') {
    if (shouldRecurseRecord(context, value, field)) {
      const v = value ?? handleMissingField(field, value);
      const rec = asRecord(v);
      if (rec) return processAutoFields(field as unknown as RecordSchema, rec, context);
      value = v;
    }
  } else if (isTable(value)) {
    let sub: FieldSpec | undefined;
    if (field.type === 'array') sub = field.elements;
    else if (field.type === 'set') {
      if (Array.isArray(value)) value = makeSet(value);
      sub = field.elements;
    } else if (field.type === 'map') sub = field.values;
    if (sub) {
      if (Array.isArray(value)) value = value.map((v) => adjustFieldForContext(sub as FieldSpec, v, context));
      else {
        const obj = value as Record<string, unknown>;
        for (const k of Object.keys(obj)) obj[k] = adjustFieldForContext(sub, obj[k], context);
      }
    }
  }
  if (value === undefined && context !== 'update') return handleMissingField(field, value);
  return value;
}

/**
 * `Schema:process_auto_fields(data, context)`: a deep copy of `data` with defaults filled
 * (insert/upsert), auto ids and timestamps set, nested records processed. Unknown keys stay
 * (validation reports them).
 */
export function processAutoFields(
  schema: RecordSchema,
  data: Record<string, unknown>,
  context: Context,
  opts: AutoFieldOptions = {},
): Record<string, unknown> {
  const out = deepCopy(data);
  const insertLike = context === 'insert' || context === 'upsert';
  for (const [key, field] of eachField(schema, out)) {
    let value = out[key];
    if (field.auto) {
      if (field.uuid) {
        if (insertLike && value === undefined && opts.newId) value = opts.newId();
      } else if (
        (key === 'created_at' && insertLike && (value === null || value === undefined)) ||
        (key === 'updated_at' && (insertLike || context === 'update'))
      ) {
        const now = opts.now ?? Date.now() / 1000;
        value = field.type === 'integer' ? Math.floor(now) : now;
      }
    }
    value = adjustFieldForContext(field, value, context);
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

function isReference(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('{vault://') && v.endsWith('}');
}

function validateElements(field: FieldSpec, values: unknown[]): ErrorTree | null {
  const elements = field.elements as FieldSpec;
  const errs: Array<ErrorTree | null> = [];
  let ok = true;
  values.forEach((v, i) => {
    const err = v === null || v === undefined ? MSG.REQUIRED : validateField(elements, v);
    errs[i] = err;
    if (err !== null) ok = false;
  });
  return ok ? null : errs;
}

function validateForeign(value: unknown): ErrorTree | null {
  // `validate_primary_key(value, true)` of the referenced entity; all our entities use `id`
  const id = isObject(value) ? value.id : undefined;
  if (id === undefined || id === false) return { id: MSG.MISSING_PK };
  if (id === null) return { id: MSG.REQUIRED };
  const err = validateField({ type: 'string', uuid: true }, id);
  return err === null ? null : { id: err };
}

/**
 * `Schema:validate_field(field, value)`: null when valid, else a message or (for aggregates)
 * an error tree.
 */
export function validateField(field: FieldSpec, value: unknown): ErrorTree | null {
  if (value === null) {
    if (field.ne === null) return (field.err as string) ?? fmt(MSG.NE, 'null');
    if (field.eq !== undefined && field.eq !== null) return fmt(MSG.EQ, field.eq);
    if (field.required) return MSG.REQUIRED;
    return null;
  }
  if (field.eq === null) return (field.err as string) ?? fmt(MSG.EQ, 'null');
  if (field.abstract) return MSG.SUBSCHEMA_ABSTRACT_FIELD;

  let stringField = field;
  switch (field.type) {
    case 'array':
    case 'set': {
      if (!isSequence(value)) return field.type === 'array' ? MSG.ARRAY : MSG.SET;
      const err = validateElements(field, Array.isArray(value) ? value : []);
      if (err) return err;
      break;
    }
    case 'map': {
      if (!isTable(value)) return MSG.MAP;
      const entries: Array<[unknown, unknown]> = Array.isArray(value)
        ? value.map((v, i) => [i + 1, v])
        : Object.entries(value as Record<string, unknown>);
      for (const [k, v] of entries) {
        const kerr = validateField(field.keys as FieldSpec, k);
        if (kerr) return kerr;
        const verr = v === null ? MSG.REQUIRED : validateField(field.values as FieldSpec, v);
        if (verr) return verr;
      }
      break;
    }
    case 'record': {
      const rec = asRecord(value);
      if (!rec) return MSG.RECORD;
      const schema = field as unknown as RecordSchema;
      const errs = validateRecord(schema, processAutoFields(schema, rec, 'insert'));
      if (errs) return errs;
      break;
    }
    case 'foreign': {
      const err = validateForeign(value);
      if (err) return err;
      break;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return MSG.INTEGER;
      break;
    case 'number':
      if (typeof value !== 'number') return MSG.NUMBER;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return MSG.BOOLEAN;
      break;
    case 'string':
      if (typeof value !== 'string') return MSG.STRING;
      // empty strings are not accepted by default
      if (field.len_min === undefined) stringField = { ...field, len_min: 1 };
      if (field.referenceable && isReference(value)) return null;
      break;
    case 'function':
      if (typeof value !== 'function') return MSG.FUNCTION;
      break;
    case 'json':
      // Kong checks these against a JSON schema; plugin schemas from the pluginserver carry none
      return null;
    default:
      if ((field.type as string) !== 'any') return fmt(MSG.SCHEMA_TYPE, field.type);
  }
  return runValidators(stringField, value);
}

export interface ValidateOptions {
  /** false for updates (PATCH): missing required fields are only reported when null. */
  fullCheck?: boolean;
  isUpdate?: boolean;
}

function validateFields(schema: RecordSchema, input: Record<string, unknown>): ErrorTreeObject {
  const errors: ErrorTreeObject = {};
  const own = fieldsByName(schema);
  const ss = getSubschema(schema, input);
  const ssFields = ss ? fieldsByName(ss) : undefined;
  for (const k of Object.keys(input)) {
    const v = input[k];
    if (v === undefined) continue;
    if (k === 'updated_at' && own.has(k)) continue; // Kong never validates it (unvalidated_fields)
    const field = ssFields?.get(k) ?? own.get(k);
    if (field && (field.type as string) === 'self') {
      // the metaschema's `default`: validated against the field definition being checked
      const err = validateField(input as unknown as FieldSpec, v);
      if (err !== null) errors[k] = err;
      continue;
    }
    if (!field) {
      errors[k] = MSG.UNKNOWN;
      continue;
    }
    const err = validateField(field, v);
    if (err !== null) errors[k] = err;
  }
  return errors;
}

/** `Schema:validate(input, full_check)`: null when valid, else the error tree. */
export function validateRecord(
  schema: RecordSchema,
  input: Record<string, unknown>,
  opts: ValidateOptions = {},
): ErrorTreeObject | null {
  const fullCheck = opts.fullCheck ?? true;
  if (schema.subschema_key) {
    const key = input[schema.subschema_key];
    if (key === null || key === undefined) return { [schema.subschema_key]: MSG.REQUIRED };
    if (!getSubschema(schema, input)) {
      const shown = typeof key === 'string' ? key : Array.isArray(key) ? key[0] : key;
      return { [schema.subschema_key]: fmt(schema.subschema_error ?? MSG.SUBSCHEMA_UNKNOWN, shown) };
    }
  }
  const errors = validateFields(schema, input);
  for (const [name, field] of fieldsByName(schema)) {
    if (field.required && (input[name] === null || (fullCheck && input[name] === undefined))) {
      errors[name] = MSG.REQUIRED;
    }
  }
  runEntityChecks(schema, input, fullCheck, errors, opts.isUpdate ?? false);
  return Object.keys(errors).length > 0 ? errors : null;
}

/**
 * `Schema:merge_values(top, bottom)` for PATCH: records merge field by field, everything else
 * (arrays included) is replaced.
 */
export function mergeValues(
  schema: RecordSchema,
  top: Record<string, unknown>,
  bottom: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const base = bottom ?? {};
  const out: Record<string, unknown> = { ...base, ...top };
  for (const [key, field] of eachField(schema, base)) {
    const t = top[key];
    if (t === undefined) out[key] = base[key];
    else if (field.type === 'record' && !field.abstract && isObject(t)) {
      const b = base[key];
      out[key] = mergeValues(field as unknown as RecordSchema, t, isObject(b) ? b : null);
    } else out[key] = t;
  }
  return out;
}
