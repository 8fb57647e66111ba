/**
 * The check Kong runs on a plugin's schema before accepting the plugin
 * (`kong/db/schema/metaschema.lua: MetaSchema.MetaSubSchema`, called from
 * `kong/db/schema/plugin_loader.lua`): attribute types, `description` of 10–500 characters,
 * valid `type`s, required attributes per type, attributes a type cannot have, and `default`
 * values that must validate against their own field.
 */
import type { KongFieldDef } from './types';
import type { FieldSpec, RecordSchema } from './kong-schema';
import { validateRecord } from './kong-schema';
import { daoErrors, type ErrorTreeObject } from './errors';

const VALID_TYPES = ['array', 'set', 'string', 'number', 'boolean', 'integer', 'foreign', 'map', 'record', 'function', 'json'];

const matchList: FieldSpec = {
  type: 'array',
  elements: { type: 'record', fields: [{ pattern: { type: 'string', required: true } }, { err: { type: 'string' } }] },
};

const validatorAttributes: KongFieldDef[] = [
  { between: { type: 'array', elements: { type: 'number' }, len_eq: 2 } },
  { eq: { type: 'any' as FieldSpec['type'] } },
  { ne: { type: 'any' as FieldSpec['type'] } },
  { gt: { type: 'number' } },
  { len_eq: { type: 'integer' } },
  { len_min: { type: 'integer' } },
  { len_max: { type: 'integer' } },
  { match: { type: 'string' } },
  { not_match: { type: 'string' } },
  { match_all: matchList },
  { match_none: matchList },
  {
    match_any: {
      type: 'record',
      fields: [{ patterns: { type: 'array', elements: { type: 'string' }, required: true } }, { err: { type: 'string' } }],
    },
  },
  { starts_with: { type: 'string' } },
  { one_of: { type: 'array', elements: { type: 'any' as FieldSpec['type'] } } },
  { not_one_of: { type: 'array', elements: { type: 'any' as FieldSpec['type'] } } },
  { contains: { type: 'any' as FieldSpec['type'] } },
  { is_regex: { type: 'boolean' } },
  { timestamp: { type: 'boolean' } },
  { uuid: { type: 'boolean' } },
  { custom_validator: { type: 'function' } },
  { mutually_exclusive_subsets: { type: 'array', elements: { type: 'array', elements: { type: 'string' } } } },
];

const fieldAttributes: KongFieldDef[] = [
  { type: { type: 'string', one_of: VALID_TYPES, required: true } },
  { required: { type: 'boolean' } },
  { reference: { type: 'string' } },
  { description: { type: 'string', len_min: 10, len_max: 500 } },
  { examples: { type: 'array', elements: { type: 'any' as FieldSpec['type'] } } },
  { auto: { type: 'boolean' } },
  { unique: { type: 'boolean' } },
  { unique_across_ws: { type: 'boolean' } },
  { on_delete: { type: 'string', one_of: ['restrict', 'cascade', 'null'] } },
  { default: { type: 'self' as FieldSpec['type'] } },
  { abstract: { type: 'boolean' } },
  { generate_admin_api: { type: 'boolean' } },
  { immutable: { type: 'boolean' } },
  { err: { type: 'string' } },
  { encrypted: { type: 'boolean' } },
  { referenceable: { type: 'boolean' } },
  { json_schema: { type: 'map', keys: { type: 'string' }, values: { type: 'any' as FieldSpec['type'] } } },
  { transient: { type: 'boolean' } },
  { deprecation: { type: 'map', keys: { type: 'string' }, values: { type: 'any' as FieldSpec['type'] } } },
  ...validatorAttributes,
];
// every attribute is optional
for (const item of fieldAttributes) {
  const spec = Object.values(item)[0];
  spec.nilable = !spec.required;
}

const fieldRecord: FieldSpec = { type: 'record', fields: fieldAttributes };
const fieldsArray: FieldSpec = {
  type: 'array',
  elements: { type: 'map', keys: { type: 'string' }, values: fieldRecord, required: true, len_eq: 1 },
};
// recursive attributes
fieldAttributes.push(
  { elements: { type: 'record', fields: fieldAttributes, nilable: true } },
  { keys: { type: 'record', fields: fieldAttributes, nilable: true } },
  { values: { type: 'record', fields: fieldAttributes, nilable: true } },
  { fields: { ...fieldsArray, nilable: true } },
  { entity_checks: { type: 'array', elements: { type: 'any' as FieldSpec['type'] }, nilable: true } },
  { shorthand_fields: { type: 'array', elements: { type: 'any' as FieldSpec['type'] }, nilable: true } },
);

const metaSubSchema: RecordSchema = {
  name: 'metasubschema',
  fields: [
    { name: { type: 'string', required: true } },
    { fields: fieldsArray },
    { entity_checks: { type: 'array', elements: { type: 'any' as FieldSpec['type'] }, nilable: true } },
    { shorthand_fields: { type: 'array', elements: { type: 'any' as FieldSpec['type'] }, nilable: true } },
    { transformations: { type: 'array', elements: { type: 'any' as FieldSpec['type'] }, nilable: true } },
  ],
};

const REQUIRED_ATTRIBUTES: Record<string, string[]> = {
  array: ['elements'],
  set: ['elements'],
  map: ['keys', 'values'],
  record: ['fields'],
  json: ['json_schema'],
};

const ATTRIBUTE_TYPES: Record<string, string[]> = {
  between: ['integer', 'number'],
  len_eq: ['array', 'set', 'string', 'map'],
  match: ['string'],
  one_of: ['string', 'number', 'integer'],
  contains: ['array', 'set'],
  is_regex: ['string'],
  timestamp: ['number', 'integer'],
  uuid: ['string'],
  unique: ['string', 'number', 'integer', 'foreign'],
  unique_across_ws: ['string', 'number', 'integer', 'foreign'],
  abstract: ['string', 'number', 'integer', 'record', 'array', 'set', 'map'],
  json_schema: ['json'],
  transient: ['string', 'number', 'integer', 'array', 'set', 'boolean'],
};

function checkField(k: string, field: FieldSpec, errors: ErrorTreeObject): void {
  if (!field.type) {
    errors[k] = 'missing type declaration';
    return;
  }
  const req = field.abstract && field.type === 'record' ? [] : REQUIRED_ATTRIBUTES[field.type] ?? [];
  for (const attr of req) {
    if (!field[attr]) errors[k] = `field of type '${field.type}' must declare '${attr}'`;
  }
  for (const attr of Object.keys(field)) {
    const allowed = ATTRIBUTE_TYPES[attr];
    if (allowed && !allowed.includes(field.type)) errors[k] = `field of type '${field.type}' cannot have attribute '${attr}'`;
  }
  for (const nested of ['elements', 'keys', 'values']) {
    const v = field[nested];
    if (v === undefined) continue;
    if (typeof v === 'object' && v !== null) checkField(k, v as FieldSpec, errors);
    else errors[k] = `'${nested}' must be a table`;
  }
  if (Array.isArray(field.fields)) checkFields(field.fields, errors);
}

function checkFields(fields: KongFieldDef[], errors: ErrorTreeObject): void {
  for (const item of fields) {
    if (typeof item !== 'object' || item === null) {
      errors.fields = 'each entry in fields must be a sub-table';
      return;
    }
    const [k] = Object.keys(item);
    if (k === undefined) {
      errors.fields = 'field entry table is empty';
      return;
    }
    const f = item[k];
    if (typeof f === 'object' && f !== null) checkField(k, f, errors);
    else errors[k] = `'${k}' must be a table`;
  }
}

/** null when Kong would accept this plugin schema, else its error tree. */
export function checkPluginSchema(schema: unknown): ErrorTreeObject | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return { '@entity': ['expected an input table'] };
  const input = schema as Record<string, unknown>;
  const errors = validateRecord(metaSubSchema, input) ?? {};
  if (input.name !== undefined && Array.isArray(input.fields)) checkFields(input.fields as KongFieldDef[], errors);
  return Object.keys(errors).length > 0 ? errors : null;
}

/** Kong's one-line reason, as it would log it when refusing the plugin. */
export function pluginSchemaProblem(schema: unknown): string | null {
  const errs = checkPluginSchema(schema);
  return errs ? daoErrors.schemaViolation(errs).message : null;
}
