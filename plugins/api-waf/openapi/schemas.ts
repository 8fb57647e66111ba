/**
 * OpenAPI Schema Objects → JSON Schema that Ajv compiles. Every `$ref`'d schema becomes one entry of a
 * shared `$defs` table (keyed by file + pointer, so a schema referenced from 500 operations is compiled
 * once and recursive schemas terminate); refs are rewritten to point into it. OpenAPI 3.0 dialect
 * differences are translated (`nullable`, boolean `exclusiveMinimum/Maximum`); annotations Ajv does not
 * know (`example`, `xml`, `discriminator`, `x-*`) are dropped. Unknown keywords are errors with their
 * location: a misspelt `maxLenght` would otherwise silently remove a constraint.
 */
import { DocumentSet, pointerOf, type Located } from './documents';
import { OpenApiDocumentError } from './types';

export type Dialect = '3.0' | '3.1';
export const DEFS_ID = 'openapi:defs';
const MAX_NESTING = 128;

const MAP_KEYWORDS = new Set(['properties', 'patternProperties']);
const ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
const SINGLE_KEYWORDS = new Set(['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalItems']);
/** Kept as they are (no subschemas inside). */
const VALUE_KEYWORDS = new Set([
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
  'required', 'format', 'title', 'description', 'default', 'readOnly', 'writeOnly', 'examples', '$comment',
  'contentMediaType', 'contentEncoding',
]);
const VALUE_KEYWORDS_31 = new Set(['maxContains', 'minContains', 'dependentRequired', 'deprecated']);
const SINGLE_KEYWORDS_31 = new Set(['unevaluatedProperties', 'unevaluatedItems', 'contentSchema']);
/** Annotations and identifiers with no effect on validation here. `$defs` entries are reached through `$ref`. */
const DROPPED = new Set([
  'example', 'xml', 'externalDocs', 'discriminator', 'deprecated', '$schema', '$id', '$anchor', '$dynamicAnchor',
  '$vocabulary', '$defs', 'definitions', 'nullable',
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export class SchemaBundler {
  /** The shared table, added to Ajv once as `{ $id: DEFS_ID, $defs }`. */
  readonly defs: Json = {};
  /** Def name → where it came from (`#/components/schemas/Order`, `common.yaml#/Money`), for messages. */
  readonly origins = new Map<string, string>();
  /** Every `format` the document uses (unknown ones are registered with Ajv as ignored). */
  readonly formats = new Set<string>();
  /** Translated schema node → its location in the document, for violation reasons. */
  readonly locations = new WeakMap<object, string>();
  private readonly byLocation = new Map<string, string>();

  constructor(
    private readonly docs: DocumentSet,
    readonly dialect: Dialect,
  ) {}

  defsSchema(): Json {
    return { $id: DEFS_ID, $defs: this.defs };
  }

  /** The JSON Schema for the schema at `at` (which may itself be a `$ref`). */
  translate(at: Located): unknown {
    return this.node(at.value, at.file, at.pointer, 0);
  }

  /** Def name for a `$ref` from `file`; translates the target the first time it is seen. */
  private defFor(file: string, ref: unknown, where: string): string {
    const target = this.docs.resolveRef(file, ref as string, where);
    const key = `${target.file}${target.pointer}`;
    const known = this.byLocation.get(key);
    if (known !== undefined) return known;
    const name = `d${this.byLocation.size}`;
    this.byLocation.set(key, name);
    this.origins.set(name, this.docs.where(target));
    this.defs[name] = true; // placeholder: a cycle back to this def finds the name already allocated
    this.defs[name] = this.node(target.value, target.file, target.pointer, 0);
    return name;
  }

  private fail(file: string, pointer: string, message: string): never {
    throw new OpenApiDocumentError(`${this.docs.where({ file, pointer })}: ${message}`);
  }

  private node(v: unknown, file: string, pointer: string, depth: number): unknown {
    if (typeof v === 'boolean') return v;
    if (!isObject(v)) this.fail(file, pointer, 'a schema must be an object');
    if (depth > MAX_NESTING) this.fail(file, pointer, `schema nested deeper than ${MAX_NESTING}`);
    const is31 = this.dialect === '3.1';
    let refOut: Json | null = null;
    if ('$ref' in v) {
      refOut = { $ref: `${DEFS_ID}#/$defs/${this.defFor(file, v.$ref, this.docs.where({ file, pointer }))}` };
      this.locations.set(refOut, this.docs.where({ file, pointer }));
      // 3.0: siblings of $ref are ignored by the specification
      if (!is31) return refOut;
    }
    if ('$dynamicRef' in v) this.fail(file, pointer, '$dynamicRef is not supported');
    const out: Json = {};
    for (const [k, val] of Object.entries(v)) {
      const here = pointerOf(pointer, k);
      if (k === '$ref' || k.startsWith('x-') || DROPPED.has(k)) continue;
      if (MAP_KEYWORDS.has(k) || (k === 'dependentSchemas' && is31)) {
        if (!isObject(val)) this.fail(file, here, `${k} must be an object`);
        const m: Json = {};
        for (const [name, sub] of Object.entries(val)) m[name] = this.node(sub, file, pointerOf(here, name), depth + 1);
        out[k] = m;
      } else if (ARRAY_KEYWORDS.has(k) || (k === 'prefixItems' && is31)) {
        if (!Array.isArray(val) || val.length === 0) this.fail(file, here, `${k} must be a non-empty array`);
        out[k] = val.map((sub, i) => this.node(sub, file, pointerOf(here, i), depth + 1));
      } else if (SINGLE_KEYWORDS.has(k) || (is31 && SINGLE_KEYWORDS_31.has(k))) {
        out[k] = this.node(val, file, here, depth + 1);
      } else if (k === 'items') {
        out[k] = Array.isArray(val) && !is31 ? val.map((sub, i) => this.node(sub, file, pointerOf(here, i), depth + 1)) : this.node(val, file, here, depth + 1);
      } else if (k === 'dependencies' && !is31) {
        if (!isObject(val)) this.fail(file, here, 'dependencies must be an object');
        const m: Json = {};
        for (const [name, dep] of Object.entries(val)) m[name] = Array.isArray(dep) ? dep : this.node(dep, file, pointerOf(here, name), depth + 1);
        out[k] = m;
      } else if (VALUE_KEYWORDS.has(k) || (is31 && VALUE_KEYWORDS_31.has(k))) {
        if (k === 'format' && typeof val === 'string') this.formats.add(val);
        out[k] = val;
      } else {
        this.fail(file, here, `unknown schema keyword "${k}" (OpenAPI ${this.dialect})`);
      }
    }
    if (!is31) this.fixDialect30(v, out);
    const where = this.docs.where({ file, pointer });
    this.locations.set(out, where);
    if (refOut) {
      if (Object.keys(out).length === 0) return refOut;
      const merged = { ...out, ...refOut };
      this.locations.set(merged, where);
      return merged;
    }
    const result = nullable(v, out);
    if (result !== out) this.locations.set(result as object, where);
    return result;
  }

  /** 3.0's boolean exclusiveMinimum/exclusiveMaximum modify minimum/maximum; JSON Schema's are numbers. */
  private fixDialect30(v: Json, out: Json): void {
    for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof v[ex] !== 'boolean') continue;
      delete out[ex];
      if (v[ex] === true && typeof v[bound] === 'number') {
        out[ex] = v[bound];
        delete out[bound];
      }
    }
  }
}

/**
 * `nullable: true` (3.0; tolerated in 3.1 documents migrated from 3.0): null is also valid. With a
 * `type` the type list gains "null" (and `enum` gains null); without one the schema is wrapped, since its
 * other keywords (allOf of refs, ...) would still reject null.
 */
function nullable(v: Json, out: Json): unknown {
  if (v.nullable !== true) return out;
  if (typeof out.type === 'string' || Array.isArray(out.type)) {
    const types = Array.isArray(out.type) ? (out.type as unknown[]) : [out.type];
    if (!types.includes('null')) out.type = [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}
