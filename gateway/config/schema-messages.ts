/** Kong's validation messages, verbatim from `kong/db/schema/init.lua: validation_errors`. */
export const MSG = {
  ARRAY: 'expected an array',
  SET: 'expected a set',
  MAP: 'expected a map',
  RECORD: 'expected a record',
  STRING: 'expected a string',
  NUMBER: 'expected a number',
  BOOLEAN: 'expected a boolean',
  INTEGER: 'expected an integer',
  FUNCTION: 'expected a function',
  EQ: 'value must be %s',
  NE: 'value must not be %s',
  GT: 'value must be greater than %s',
  BETWEEN: 'value should be between %d and %d',
  LEN_EQ: 'length must be %d',
  LEN_MIN: 'length must be at least %d',
  LEN_MAX: 'length must be at most %d',
  MATCH: 'invalid value: %s',
  NOT_MATCH: 'invalid value: %s',
  STARTS_WITH: 'should start with: %s',
  CONTAINS: 'expected to contain: %s',
  ONE_OF: 'expected one of: %s',
  NOT_ONE_OF: 'must not be one of: %s',
  IS_REGEX: 'not a valid regex: %s',
  TIMESTAMP: 'expected a valid timestamp',
  UUID: 'expected a valid UUID',
  VALIDATION: 'failed validating: %s',
  REQUIRED: 'required field missing',
  UNKNOWN: 'unknown field',
  IMMUTABLE: 'immutable field cannot be updated',
  REQUIRED_FOR_ENTITY_CHECK: 'field required for entity check',
  ENTITY_CHECK: 'failed entity check: %s(%s)',
  CONDITIONAL: "failed conditional validation given value of field '%s'",
  AT_LEAST_ONE_OF: 'at least one of these fields must be non-empty: %s',
  CONDITIONAL_AT_LEAST_ONE_OF: 'at least one of these fields must be non-empty: %s',
  ONLY_ONE_OF: 'exactly one of these fields must be non-empty: %s',
  DISTINCT: 'values of these fields must be distinct: %s',
  MUTUALLY_REQUIRED: 'all or none of these fields must be set: %s',
  MUTUALLY_EXCLUSIVE: 'only one or none of these fields must be set: %s',
  MUTUALLY_EXCLUSIVE_SETS: 'these sets are mutually exclusive: %s',
  SCHEMA_TYPE: 'invalid type: %s',
  SUBSCHEMA_UNKNOWN: 'unknown type: %s',
  SUBSCHEMA_ABSTRACT_FIELD: 'error in schema definition: abstract field was not specialized',
  MISSING_PK: 'missing primary key',
  NOT_PK: 'not a primary key',
} as const;

/** Lua's `tostring` for the values that reach messages. */
export function luaToString(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'userdata: NULL' : 'nil';
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return String(Number(v.toPrecision(14)));
  }
  if (typeof v === 'object') return 'table';
  return String(v);
}

/** A small `string.format` for %s and %d, enough for the messages above. */
export function fmt(template: string, ...args: unknown[]): string {
  let i = 0;
  return template.replace(/%[sd]/g, (spec) => {
    const a = args[i++];
    if (spec === '%d') return String(Math.trunc(Number(a)));
    return luaToString(a);
  });
}

/** `quoted_list({"a","b"})` → `'a', 'b'` */
export function quotedList(words: Array<string | string[]>): string {
  return words.map((w) => (Array.isArray(w) ? `(${quotedList(w)})` : `'${w}'`)).join(', ');
}
