/**
 * Observed statistics → JSON Schema (OpenAPI 3.1 dialect). Honest about mixtures: a JSON field seen as
 * both integer and string gets `type: [integer, string]`; a format is claimed only when EVERY string
 * observation had it. Text parameters (path, query, header, cookie, form) widen instead, because they
 * arrive as strings and the validator coerces them.
 */
import type { Histogram, ParamRecord } from '../store/inventory-types';

export type JsonSchema = Record<string, unknown>;

/** Inventory format names → OpenAPI/JSON Schema format names (base64 is OpenAPI's `byte`). */
const FORMAT_NAMES: Record<string, string> = {
  uuid: 'uuid', email: 'email', date: 'date', 'date-time': 'date-time', ipv4: 'ipv4', uri: 'uri', jwt: 'jwt', base64: 'byte', base64url: 'base64url', hex: 'hex',
};

const PRIMITIVE_ORDER = ['integer', 'number', 'boolean', 'string', 'null', 'object', 'array'];

function formatOf(types: Histogram, formats: Histogram): string | null {
  const strings = types.string ?? 0;
  if (strings === 0) return null;
  for (const [f, n] of Object.entries(formats)) if (n === strings && FORMAT_NAMES[f]) return FORMAT_NAMES[f];
  return null;
}

/** Schema of a value that arrives as text. */
export function textSchema(p: Pick<ParamRecord, 'types' | 'formats'>): JsonSchema {
  const t = p.types;
  const has = (k: string) => (t[k] ?? 0) > 0;
  if (has('string') || has('object') || has('array') || (has('boolean') && (has('integer') || has('number')))) {
    const format = has('integer') || has('number') || has('boolean') ? null : formatOf(t, p.formats);
    return format ? { type: 'string', format } : { type: 'string' };
  }
  if (has('number')) return { type: 'number' };
  if (has('integer')) return { type: 'integer' };
  if (has('boolean')) return { type: 'boolean' };
  return {};
}

/** Schema of a JSON value from its own histogram (children are added by the caller). */
export function jsonSchema(p: Pick<ParamRecord, 'types' | 'formats'>): JsonSchema {
  let types = PRIMITIVE_ORDER.filter((k) => (p.types[k] ?? 0) > 0);
  if (types.includes('integer') && types.includes('number')) types = types.filter((k) => k !== 'integer');
  if (types.length === 0) return {};
  const schema: JsonSchema = { type: types.length === 1 ? types[0] : types };
  const onlyStrings = types.every((k) => k === 'string' || k === 'null');
  const format = onlyStrings ? formatOf(p.types, p.formats) : null;
  if (format) schema.format = format;
  return schema;
}

function unescapeKey(k: string): string {
  return k.replace(/%2E/g, '.').replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%25/g, '%');
}

interface Node {
  stats: Pick<ParamRecord, 'types' | 'formats'> | null;
  props: Map<string, Node>;
  items: Node | null;
}

const newNode = (): Node => ({ stats: null, props: new Map(), items: null });

/** Where a body field name hangs: `a.b` under `a`, `a[]` as the items of `a`, `x` under the root `$`. */
function place(root: Node, name: string): Node {
  if (name === '$') return root;
  if (name.endsWith('[]')) {
    const parent = name.length === 2 ? root : place(root, name.slice(0, -2));
    return (parent.items ??= newNode());
  }
  const dot = name.lastIndexOf('.');
  const parent = dot < 0 ? root : place(root, name.slice(0, dot));
  const key = unescapeKey(dot < 0 ? name : name.slice(dot + 1));
  let child = parent.props.get(key);
  if (!child) parent.props.set(key, (child = newNode()));
  return child;
}

function render(node: Node): JsonSchema {
  const schema = node.stats ? jsonSchema(node.stats) : {};
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (node.props.size > 0 && (types.length === 0 || types.includes('object'))) {
    const properties: Record<string, JsonSchema> = {};
    for (const [k, child] of node.props) properties[k] = render(child);
    schema.properties = properties;
  }
  if (node.items && (types.length === 0 || types.includes('array'))) schema.items = render(node.items);
  return schema;
}

/** The JSON request body schema from the body fields observed (`$`, `a.b`, `items[].sku`, ...). */
export function jsonBodySchema(fields: readonly ParamRecord[]): JsonSchema {
  const root = newNode();
  for (const f of fields) place(root, f.name).stats = f;
  return render(root);
}

/** A form body: one property per field, text-typed. */
export function formBodySchema(fields: readonly ParamRecord[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) if (f.name !== '$' && !f.name.includes('.') && !f.name.includes('[]')) properties[f.name] = textSchema(f);
  return { type: 'object', properties };
}
