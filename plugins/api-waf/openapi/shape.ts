/**
 * The shape of a (raw, untranslated) schema as parameter deserialization needs it: is the value an
 * array, an object or a primitive, and which properties an object declares. Follows `$ref` and `allOf`.
 */
import { DocumentSet, pointerOf, type Located } from './documents';

export type ValueKind = 'primitive' | 'array' | 'object';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const MAX_DEPTH = 16;

export function kindOf(docs: DocumentSet, at: Located, depth = 0): ValueKind {
  if (depth > MAX_DEPTH) return 'primitive';
  const s = docs.deref<unknown>(at);
  if (!isObject(s.value)) return 'primitive';
  const v = s.value;
  const types = Array.isArray(v.type) ? v.type : typeof v.type === 'string' ? [v.type] : [];
  if (types.includes('array')) return 'array';
  if (types.includes('object')) return 'object';
  if (types.length > 0) return 'primitive';
  if ('items' in v) return 'array';
  if ('properties' in v || 'additionalProperties' in v) return 'object';
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = v[key];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const k = kindOf(docs, { file: s.file, pointer: pointerOf(s.pointer, key, i), value: list[i] }, depth + 1);
      if (k !== 'primitive') return k;
    }
  }
  return 'primitive';
}

export interface ObjectShape {
  properties: Map<string, Located>;
  /** Undeclared properties are allowed (anything but `additionalProperties: false`). */
  open: boolean;
}

/** Declared properties of an object schema, merged across `allOf`. */
export function objectShape(docs: DocumentSet, at: Located, depth = 0): ObjectShape {
  const shape: ObjectShape = { properties: new Map(), open: true };
  if (depth > MAX_DEPTH) return shape;
  const s = docs.deref<unknown>(at);
  if (!isObject(s.value)) return shape;
  const v = s.value;
  if (isObject(v.properties)) {
    for (const [name, sub] of Object.entries(v.properties)) shape.properties.set(name, { file: s.file, pointer: pointerOf(s.pointer, 'properties', name), value: sub });
  }
  if (v.additionalProperties === false) shape.open = false;
  if (Array.isArray(v.allOf)) {
    v.allOf.forEach((sub, i) => {
      const inner = objectShape(docs, { file: s.file, pointer: pointerOf(s.pointer, 'allOf', i), value: sub }, depth + 1);
      for (const [k, p] of inner.properties) if (!shape.properties.has(k)) shape.properties.set(k, p);
      if (!inner.open) shape.open = false;
    });
  }
  return shape;
}
