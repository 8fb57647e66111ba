/**
 * Kong's DAO error objects (`kong/db/errors.lua`): numeric `code`, `name`, human `message`
 * and, for most, a `fields` table. The Admin API sends them as the response body.
 */

export const ERROR_CODES = {
  INVALID_PRIMARY_KEY: 1,
  SCHEMA_VIOLATION: 2,
  PRIMARY_KEY_VIOLATION: 3,
  FOREIGN_KEY_VIOLATION: 4,
  UNIQUE_VIOLATION: 5,
  NOT_FOUND: 6,
  INVALID_OFFSET: 7,
  DATABASE_ERROR: 8,
  INVALID_SIZE: 9,
  INVALID_UNIQUE: 10,
  INVALID_OPTIONS: 11,
  OPERATION_UNSUPPORTED: 12,
  FOREIGN_KEYS_UNRESOLVED: 13,
  DECLARATIVE_CONFIG: 14,
  TRANSFORMATION_ERROR: 15,
  INVALID_FOREIGN_KEY: 16,
  INVALID_WORKSPACE: 17,
  INVALID_UNIQUE_GLOBAL: 18,
  REFERENCED_BY_OTHERS: 19,
  INVALID_SEARCH_QUERY: 20,
} as const;

const ERROR_NAMES: Record<number, string> = {
  1: 'invalid primary key',
  2: 'schema violation',
  3: 'primary key violation',
  4: 'foreign key violation',
  5: 'unique constraint violation',
  6: 'not found',
  7: 'invalid offset',
  8: 'database error',
  9: 'invalid size',
  10: 'invalid unique %s',
  11: 'invalid options',
  12: 'operation unsupported',
  13: 'foreign keys unresolved',
  14: 'invalid declarative configuration',
  15: 'transformation error',
  16: 'invalid foreign key',
  17: 'invalid workspace',
  18: 'invalid global query',
  19: 'referenced by others',
  20: 'invalid search query',
};

/** HTTP status per error code (`kong/api/endpoints.lua: ERRORS_HTTP_CODES`). */
export const ERROR_HTTP_STATUS: Record<number, number> = {
  1: 400, 2: 400, 3: 400, 4: 400, 5: 409, 6: 404, 7: 400, 8: 500, 9: 400, 10: 400,
  11: 400, 12: 405, 13: 400, 14: 400, 19: 400,
};

/** A validation error tree: a message, or messages keyed by field (arrays for element errors). */
export type ErrorTree = string | ErrorTreeObject | Array<ErrorTree | null>;
export interface ErrorTreeObject {
  [field: string]: ErrorTree | string[] | undefined;
}

export interface KongError {
  code: number;
  name: string;
  message: string | null;
  fields?: unknown;
}

/** Thrown by the store; the Admin API turns it into a response. */
export class KongDaoError extends Error {
  constructor(readonly body: KongError) {
    super(body.message ?? body.name);
  }
  get status(): number {
    return ERROR_HTTP_STATUS[this.body.code] ?? 500;
  }
}

function newError(code: number, message: string | null, fields?: unknown, name?: string): KongDaoError {
  const body: KongError = { code, name: name ?? ERROR_NAMES[code], message };
  if (fields !== undefined) body.fields = fields;
  return new KongDaoError(body);
}

const LUA_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Penlight's `pretty.write` as Kong uses it in messages: `space === ''` gives the one-line form
 * `{id="x"}`, the default gives an indented multi-line form. Keys are sorted; arrays are positional.
 */
export function prettyWrite(value: unknown, space = '  ', indent = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return luaString(value);
  if (typeof value !== 'object') return String(value);
  const set = space === '' ? '=' : ' = ';
  const items: string[] = [];
  const inner = indent + space;
  if (Array.isArray(value)) {
    for (const v of value) items.push(prettyWrite(v, space, inner));
  } else {
    for (const k of Object.keys(value).sort()) {
      const key = LUA_IDENT.test(k) ? k : `[${luaString(k)}]`;
      items.push(key + set + prettyWrite((value as Record<string, unknown>)[k], space, inner));
    }
  }
  if (items.length === 0) return '{}';
  if (space === '') return `{${items.join(',')}}`;
  return `{\n${items.map((i) => inner + i).join(',\n')}\n${indent}}`;
}

function sortedKeys(t: object): string[] {
  if (Array.isArray(t)) return t.map((_, i) => i).filter((i) => t[i] !== null && t[i] !== undefined).map(String);
  return Object.keys(t).sort();
}

function luaKeyName(container: object, key: string): string {
  // element errors are stored 0-based in JS arrays; Kong's keys are 1-based
  return Array.isArray(container) ? String(Number(key) + 1) : key;
}

export const daoErrors = {
  schemaViolation(errors: ErrorTreeObject): KongDaoError {
    const buf: string[] = [];
    const entity = errors['@entity'];
    if (Array.isArray(entity)) for (const e of entity) buf.push(String(e));
    for (const field of sortedKeys(errors)) {
      if (field === '@entity') continue;
      const fe = errors[field];
      if (fe !== null && typeof fe === 'object') {
        for (const sub of sortedKeys(fe)) {
          let v: unknown = (fe as Record<string, unknown>)[sub];
          if (v !== null && typeof v === 'object') v = prettyWrite(v);
          buf.push(`${field}.${luaKeyName(fe, sub)}: ${String(v)}`);
        }
      } else {
        buf.push(`${field}: ${String(fe)}`);
      }
    }
    const message = buf.length === 1 ? `schema violation (${buf[0]})` : `${buf.length} schema violations (${buf.join('; ')})`;
    return newError(ERROR_CODES.SCHEMA_VIOLATION, message, errors);
  },
  notFound(pk: Record<string, unknown>): KongDaoError {
    return newError(ERROR_CODES.NOT_FOUND, `could not find the entity with primary key '${prettyWrite(pk, '')}'`, pk);
  },
  notFoundByField(filter: Record<string, unknown>): KongDaoError {
    return newError(ERROR_CODES.NOT_FOUND, `could not find the entity with '${prettyWrite(filter, '')}'`, filter);
  },
  uniqueViolation(key: Record<string, unknown>): KongDaoError {
    return newError(ERROR_CODES.UNIQUE_VIOLATION, `UNIQUE violation detected on '${prettyWrite(key, '')}'`, key);
  },
  primaryKeyViolation(pk: Record<string, unknown>): KongDaoError {
    return newError(ERROR_CODES.PRIMARY_KEY_VIOLATION, `primary key violation on key '${prettyWrite(pk, '')}'`, pk);
  },
  foreignKeyInvalidReference(fk: Record<string, unknown>, fieldName: string, parentName: string): KongDaoError {
    const message = `the foreign key '${prettyWrite(fk, '')}' does not reference an existing '${parentName}' entity.`;
    return newError(ERROR_CODES.FOREIGN_KEY_VIOLATION, message, { [fieldName]: fk });
  },
  foreignKeyRestricted(parentName: string, childName: string): KongDaoError {
    const message = `an existing '${childName}' entity references this '${parentName}' entity`;
    return newError(ERROR_CODES.FOREIGN_KEY_VIOLATION, message, { '@referenced_by': childName });
  },
  foreignKeysUnresolved(errors: Record<string, Record<string, { name: string; value: unknown; parent: string }>>): KongDaoError {
    const buf: string[] = [];
    const fields: Record<string, Record<string, string>> = {};
    for (const field of Object.keys(errors).sort()) {
      fields[field] = {};
      for (const sub of Object.keys(errors[field]).sort()) {
        const e = errors[field][sub];
        const msg = `the foreign key cannot be resolved with '${prettyWrite({ [e.name]: e.value }, '')}' for an existing '${e.parent}' entity`;
        fields[field][sub] = msg;
        buf.push(`${field}.${sub}: ${msg}`);
      }
    }
    const message = buf.length === 1 ? `foreign key unresolved (${buf[0]})` : `${buf.length} foreign keys unresolved (${buf.join('; ')})`;
    return newError(ERROR_CODES.FOREIGN_KEYS_UNRESOLVED, message, fields);
  },
  invalidOffset(offset: string, err: string): KongDaoError {
    return newError(ERROR_CODES.INVALID_OFFSET, `'${offset}' is not a valid offset: ${err}`);
  },
  invalidSize(err: string): KongDaoError {
    return newError(ERROR_CODES.INVALID_SIZE, err);
  },
  invalidOptions(errors: Record<string, string>): KongDaoError {
    const buf = Object.keys(errors).sort().map((k) => `${k}: ${errors[k]}`);
    const message = buf.length === 1 ? `invalid option (${buf[0]})` : `${buf.length} option violations (${buf.join('; ')})`;
    const err = newError(ERROR_CODES.INVALID_OPTIONS, message);
    (err.body as KongError & { options?: unknown }).options = errors;
    return err;
  },
  operationUnsupported(message: string): KongDaoError {
    return newError(ERROR_CODES.OPERATION_UNSUPPORTED, message);
  },
  declarativeConfig(errT: unknown): KongDaoError {
    return newError(ERROR_CODES.DECLARATIVE_CONFIG, `declarative config is invalid: ${prettyWrite(errT, '')}`, errT);
  },
};
