/**
 * Form bodies the way Kong's Admin API reads them: `kong/api/api_helpers.lua:
 * normalize_nested_params` turns `config.mode=block`, `paths[]=/a`, `paths[1]=/a` and repeated
 * keys into nested tables, then `kong/api/arguments.lua: infer` converts strings to the
 * schema's types (numbers, booleans, one-element arrays, "" → null).
 */
import { eachField, isObject, type FieldSpec, type RecordSchema } from '../config/kong-schema';

type Node = Record<string, unknown> | unknown[];
const APPEND = Symbol('append');

function keyToPath(key: string): Array<string | number | typeof APPEND> {
  const arr = /^(.+)\[(\d*)\]$/.exec(key);
  if (arr) return [...keyToPath(arr[1]), arr[2] === '' ? APPEND : Number(arr[2])];
  const dot = /^(.+?)\.(.+)$/.exec(key);
  if (dot) return [...keyToPath(dot[1]), ...keyToPath(dot[2])];
  return [key];
}

export function normalizeNestedParams(pairs: Array<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    const path = keyToPath(key);
    let node: Node = root;
    for (let i = 0; i < path.length - 1; i++) {
      let seg = path[i];
      if (seg === APPEND) seg = (node as unknown[]).length;
      const nextIsIndex = typeof path[i + 1] === 'number' || path[i + 1] === APPEND;
      const container = node as Record<string | number, unknown>;
      if (typeof container[seg as string] !== 'object' || container[seg as string] === null) {
        container[seg as string] = nextIsIndex ? [] : {};
      }
      node = container[seg as string] as Node;
    }
    const last = path[path.length - 1];
    if (last === APPEND) (Array.isArray(node) ? node : []).push(value);
    else if (typeof last === 'number') {
      if (Array.isArray(node)) node[last - 1 >= 0 ? last - 1 : 0] = value; // Lua indexes are 1-based
      else (node as Record<string, unknown>)[String(last)] = value;
    } else {
      const obj = node as Record<string, unknown>;
      const prev = obj[last];
      if (prev === undefined) obj[last] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else obj[last] = [prev, value];
    }
  }
  return root;
}

export function inferValue(value: unknown, field: FieldSpec | undefined): unknown {
  if (value === undefined || !field) return value;
  if (value === '' || value === null) return null;
  switch (field.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'string') return value;
      const n = Number(value);
      return value.trim() !== '' && !Number.isNaN(n) ? n : value;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'array':
    case 'set': {
      const arr = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [value];
      return arr.map((v) => inferValue(v, field.elements));
    }
    case 'map':
      if (isObject(value)) for (const k of Object.keys(value)) value[k] = inferValue(value[k], field.values);
      return value;
    case 'record':
      if (isObject(value) && !field.abstract) return inferArgs(value, field as unknown as RecordSchema);
      return value;
    default:
      return value;
  }
}

/** `infer(args, schema)`: converts every known field (subschema specialisations included). */
export function inferArgs(args: Record<string, unknown>, schema: RecordSchema): Record<string, unknown> {
  for (const [name, field] of eachField(schema, args)) {
    if (args[name] !== undefined) args[name] = inferValue(args[name], field);
  }
  if (schema.name === 'services' && args.url === '') args.url = null;
  return args;
}
