/**
 * Cross-field checks of Kong's schema DSL (`kong/db/schema/init.lua: Schema.entity_checkers` and
 * `run_entity_check`): which fields a check sees, when it is skipped, and the `@entity` messages.
 */
import { MSG, fmt, quotedList } from './schema-messages';
import type { ErrorTreeObject } from './errors';
import { fieldsByName, getSubschema, validateField, type FieldSpec, type RecordSchema } from './kong-schema';

export type EntityCheck = Record<string, unknown>;

type CheckResult = true | [string | undefined, string?];

interface Checker {
  runWithMissingFields?: boolean;
  runWithInvalidFields?: boolean;
  /** Argument keys naming the fields the check reads (default: the argument is the field list). */
  fieldSources?: string[];
  /** Of `fieldSources`, which are required. Kong declares some of these as Lua arrays, which makes them no-ops; kept as Kong behaves. */
  requiredSources?: string[];
  fn: (entity: Record<string, unknown>, arg: Record<string, unknown>, schema: RecordSchema, errors: ErrorTreeObject) => CheckResult;
}

export function isNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

export function getField(t: unknown, name: string): unknown {
  if (t === null || t === undefined || typeof t !== 'object') return undefined;
  const dot = name.indexOf('.');
  if (dot < 0) return (t as Record<string, unknown>)[name];
  return getField((t as Record<string, unknown>)[name.slice(0, dot)], name.slice(dot + 1));
}

function setField(t: Record<string, unknown>, name: string, value: unknown): void {
  const dot = name.indexOf('.');
  if (dot < 0) {
    t[name] = value;
    return;
  }
  const hd = name.slice(0, dot);
  if (typeof t[hd] !== 'object' || t[hd] === null) t[hd] = {};
  setField(t[hd] as Record<string, unknown>, name.slice(dot + 1), value);
}

function getSchemaField(schema: { fields?: unknown } | undefined, name: string): FieldSpec | undefined {
  if (!schema) return undefined;
  const dot = name.indexOf('.');
  const fields = fieldsByName(schema as RecordSchema);
  if (dot < 0) return fields.get(name);
  return getSchemaField(fields.get(name.slice(0, dot)), name.slice(dot + 1));
}

/** A conditional's `if_match` sees the real field's attributes for anything it does not set. */
function specialize(schema: RecordSchema, fieldName: string, match: unknown): FieldSpec {
  return { ...(getSchemaField(schema, fieldName) ?? { type: 'string' }), ...(match as object) } as FieldSpec;
}

function atLeastOne(entity: Record<string, unknown>, names: string[]): boolean {
  return names.some((n) => isNonEmpty(getField(entity, n)));
}

const checkers: Record<string, Checker> = {
  at_least_one_of: {
    runWithMissingFields: true,
    runWithInvalidFields: true,
    fn: (e, arg) => (atLeastOne(e, arg as unknown as string[]) ? true : [quotedList(arg as unknown as string[])]),
  },
  conditional_at_least_one_of: {
    runWithMissingFields: true,
    runWithInvalidFields: true,
    fieldSources: ['if_field', 'then_at_least_one_of', 'else_then_at_least_one_of'],
    fn: (e, arg, schema) => {
      const ifField = arg.if_field as string;
      const ifValue = getField(e, ifField);
      if (ifValue === undefined) return true;
      if (validateField(specialize(schema, ifField, arg.if_match), ifValue) !== null) {
        if (arg.else_match === undefined) return true;
        if (validateField(specialize(schema, ifField, arg.else_match), ifValue) !== null) return true;
        const names = arg.else_then_at_least_one_of as string[];
        if (atLeastOne(e, names)) return true;
        const list = quotedList(names);
        return [list, arg.else_then_err ? fmt(arg.else_then_err as string, list) : undefined];
      }
      const names = arg.then_at_least_one_of as string[];
      if (atLeastOne(e, names)) return true;
      const list = quotedList(names);
      return [list, arg.then_err ? fmt(arg.then_err as string, list) : undefined];
    },
  },
  only_one_of: {
    runWithInvalidFields: true,
    fn: (e, arg) => {
      const names = arg as unknown as string[];
      return names.filter((n) => isNonEmpty(getField(e, n))).length === 1 ? true : [quotedList(names)];
    },
  },
  distinct: {
    runWithInvalidFields: true,
    fn: (e, arg) => {
      const names = arg as unknown as string[];
      const seen = new Set<unknown>();
      for (const n of names) {
        const v = getField(e, n);
        if (!isNonEmpty(v)) continue;
        if (seen.has(v)) return [quotedList(names)];
        seen.add(v);
      }
      return true;
    },
  },
  conditional: {
    runWithInvalidFields: true,
    fieldSources: ['if_field', 'then_field'],
    requiredSources: ['if_field'],
    fn: (e, arg, schema, errors) => {
      const ifField = arg.if_field as string;
      const thenField = arg.then_field as string;
      const ifValue = getField(e, ifField);
      let thenValue = getField(e, thenField);
      if (thenValue === undefined) thenValue = null;
      if (validateField(specialize(schema, ifField, arg.if_match), ifValue) !== null) return true;
      const thenMatch = arg.then_match as Record<string, unknown>;
      if (thenMatch.required === true && thenValue === null) {
        setField(errors as Record<string, unknown>, thenField, MSG.REQUIRED);
        return [ifField];
      }
      const err = validateField(specialize(schema, thenField, thenMatch), thenValue);
      if (err !== null) {
        setField(errors as Record<string, unknown>, thenField, err);
        return [ifField, arg.then_err ? fmt(arg.then_err as string, ifField) : undefined];
      }
      return true;
    },
  },
  custom_entity_check: {
    fieldSources: ['field_sources'],
    requiredSources: ['field_sources'],
    fn: (e, arg) => {
      const res = (arg.fn as (entity: Record<string, unknown>) => true | string)(e);
      return res === true ? true : [res];
    },
  },
  mutually_required: {
    runWithMissingFields: true,
    fn: (e, arg) => {
      const names = arg as unknown as string[];
      const n = names.filter((x) => isNonEmpty(getField(e, x))).length;
      return n === 0 || n === names.length ? true : [quotedList(names)];
    },
  },
  mutually_exclusive: {
    runWithMissingFields: true,
    fn: (e, arg) => {
      const names = arg as unknown as string[];
      return names.filter((x) => isNonEmpty(getField(e, x))).length <= 1 ? true : [quotedList(names)];
    },
  },
  mutually_exclusive_sets: {
    runWithMissingFields: true,
    fieldSources: ['set1', 'set2'],
    fn: (e, arg) => {
      const s1 = (arg.set1 as string[]).filter((x) => isNonEmpty(getField(e, x)));
      const s2 = (arg.set2 as string[]).filter((x) => isNonEmpty(getField(e, x)));
      return s1.length > 0 && s2.length > 0 ? [`(${quotedList(s1)}), (${quotedList(s2)})`] : true;
    },
  },
};

const CHECK_MESSAGES: Record<string, string> = {
  at_least_one_of: MSG.AT_LEAST_ONE_OF,
  conditional_at_least_one_of: MSG.CONDITIONAL_AT_LEAST_ONE_OF,
  only_one_of: MSG.ONLY_ONE_OF,
  distinct: MSG.DISTINCT,
  conditional: MSG.CONDITIONAL,
  mutually_required: MSG.MUTUALLY_REQUIRED,
  mutually_exclusive: MSG.MUTUALLY_EXCLUSIVE,
  mutually_exclusive_sets: MSG.MUTUALLY_EXCLUSIVE_SETS,
};

function addEntityError(errors: ErrorTreeObject, msg: string): void {
  const list = (errors['@entity'] as string[] | undefined) ?? [];
  list.push(msg);
  errors['@entity'] = list;
}

function runEntityCheck(
  schema: RecordSchema,
  name: string,
  input: Record<string, unknown>,
  arg: Record<string, unknown>,
  fullCheck: boolean,
  errors: ErrorTreeObject,
  isUpdate: boolean,
): void {
  const checker = checkers[name];
  if (!checker) return;
  const fieldsToCheck: string[] = [];
  const required = new Set<string>();
  if (checker.fieldSources) {
    for (const src of checker.fieldSources) {
      const v = arg[src];
      const names = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
      for (const n of names) {
        fieldsToCheck.push(n);
        if (checker.requiredSources?.includes(src)) required.add(n);
      }
    }
  } else {
    for (const n of arg as unknown as string[]) {
      fieldsToCheck.push(n);
      required.add(n);
    }
  }

  const checkInput: Record<string, unknown> = {};
  const missing: string[] = [];
  let allNil = true;
  let allOk = true;
  for (const fname of fieldsToCheck) {
    const value = getField(input, fname);
    if (value === undefined) {
      if (!checker.runWithMissingFields && !arg.run_with_missing_fields && required.has(fname) &&
          !getSchemaField(schema, fname)?.nilable) {
        missing.push(fname);
      }
    } else {
      allNil = false;
      const f = getSchemaField(schema, fname);
      if (f && f.type === 'string' && f.referenceable && typeof value === 'string' && value.startsWith('{vault://')) return;
    }
    if (errors[fname] !== undefined) allOk = false;
    setField(checkInput, fname, value);
  }
  if (!allOk && !checker.runWithInvalidFields && !arg.run_with_invalid_fields) return;
  if (allNil && !(checker.runWithMissingFields && fullCheck)) return;
  if (missing.length > 0) {
    const msg = MSG.REQUIRED_FOR_ENTITY_CHECK + (isUpdate ? ' when updating' : '');
    for (const m of missing) setField(errors as Record<string, unknown>, m, msg);
    return;
  }
  const res = checker.fn(checkInput, arg, schema, errors);
  if (res === true) return;
  const [err, custom] = res;
  if (custom) {
    addEntityError(errors, custom);
    return;
  }
  let template = CHECK_MESSAGES[name];
  if (template && isUpdate && (name === 'at_least_one_of' || name === 'conditional_at_least_one_of')) {
    template = 'when updating, ' + template;
  }
  addEntityError(errors, template ? fmt(template, err) : err ?? fmt(MSG.ENTITY_CHECK, name, ''));
}

/** Runs a schema's entity checks, then its subschema's (which see the merged fields). */
export function runEntityChecks(
  schema: RecordSchema,
  input: Record<string, unknown>,
  fullCheck: boolean,
  errors: ErrorTreeObject,
  isUpdate: boolean,
): void {
  const run = (s: RecordSchema, checks: EntityCheck[] | undefined): void => {
    for (const check of checks ?? []) {
      const [name] = Object.keys(check);
      const arg = check[name];
      if (arg !== undefined && arg !== null && arg !== false) {
        runEntityCheck(s, name, input, arg as Record<string, unknown>, fullCheck, errors, isUpdate);
      }
    }
  };
  run(schema, schema.entity_checks);
  const ss = getSubschema(schema, input);
  if (ss?.entity_checks) {
    const merged: RecordSchema = { ...schema, fields: [...schema.fields, ...ss.fields] };
    run(merged, ss.entity_checks);
  }
}
