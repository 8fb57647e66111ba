/**
 * The per-field validators of Kong's schema DSL (`kong/db/schema/init.lua: Schema.validators`),
 * run in Kong's order (`Schema.validators_order`); the first failure wins.
 */
import { luaPatternFind, LuaPatternError } from './lua-pattern';
import { MSG, fmt, luaToString, quotedList } from './schema-messages';
import type { FieldSpec } from './kong-schema';

export type ValidatorResult = true | { err?: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isValidUuid(v: unknown): boolean {
  return typeof v === 'string' && v.length === 36 && UUID_RE.test(v);
}

function luaEquals(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Lua's `#value` for strings is a byte count; for maps Kong counts the keys. */
function lengthOf(value: unknown, field: FieldSpec): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return field.type === 'map' ? value.length * 2 : value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

function luaMatch(value: string, pattern: string): boolean {
  try {
    return luaPatternFind(value, pattern);
  } catch (e) {
    if (e instanceof LuaPatternError) return false;
    throw e;
  }
}

interface PatternErr {
  pattern: string;
  err?: string;
}

type Validator = (value: unknown, arg: unknown, field: FieldSpec) => ValidatorResult;

const fail = (err?: string): ValidatorResult => ({ err });

const validators: Record<string, Validator> = {
  eq: (v, wanted) => (luaEquals(v, wanted) ? true : fail(fmt(MSG.EQ, wanted === null ? 'null' : luaToString(wanted)))),
  ne: (v, wanted) => (!luaEquals(v, wanted) ? true : fail(fmt(MSG.NE, wanted === null ? 'null' : luaToString(v)))),
  not_one_of: (v, options) =>
    (options as unknown[]).some((o) => luaEquals(v, o))
      ? fail(fmt(MSG.NOT_ONE_OF, (options as unknown[]).map(luaToString).join(', ')))
      : true,
  one_of: (v, options) =>
    (options as unknown[]).some((o) => luaEquals(v, o))
      ? true
      : fail(fmt(MSG.ONE_OF, (options as unknown[]).map(luaToString).join(', '))),
  gt: (v, limit) => ((v as number) > (limit as number) ? true : fail(fmt(MSG.GT, limit))),
  timestamp: (v) => ((v as number) > 0 ? true : fail()),
  uuid: (v) => (isValidUuid(v) ? true : fail()),
  is_regex: (v) => {
    try {
      new RegExp(v as string);
      return true;
    } catch {
      return fail();
    }
  },
  between: (v, limits) => {
    const [lo, hi] = limits as [number, number];
    return (v as number) < lo || (v as number) > hi ? fail(fmt(MSG.BETWEEN, lo, hi)) : true;
  },
  len_eq: (v, n, f) => (lengthOf(v, f) === n ? true : fail(fmt(MSG.LEN_EQ, n))),
  len_min: (v, n, f) => (lengthOf(v, f) >= (n as number) ? true : fail(fmt(MSG.LEN_MIN, n))),
  len_max: (v, n, f) => (lengthOf(v, f) <= (n as number) ? true : fail(fmt(MSG.LEN_MAX, n))),
  starts_with: (v, expected) =>
    (v as string).startsWith(expected as string) ? true : fail(fmt(MSG.STARTS_WITH, expected)),
  not_match: (v, pattern) => (luaMatch(v as string, pattern as string) ? fail(fmt(MSG.NOT_MATCH, v)) : true),
  match_none: (v, list) => {
    for (const item of list as PatternErr[]) if (luaMatch(v as string, item.pattern)) return fail(item.err);
    return true;
  },
  match: (v, pattern) => (luaMatch(v as string, pattern as string) ? true : fail(fmt(MSG.MATCH, v))),
  match_all: (v, list) => {
    for (const item of list as PatternErr[]) if (!luaMatch(v as string, item.pattern)) return fail(item.err);
    return true;
  },
  match_any: (v, arg) => {
    const { patterns, err } = arg as { patterns: string[]; err?: string };
    return patterns.some((p) => luaMatch(v as string, p)) ? true : fail(err);
  },
  contains: (v, wanted) =>
    Array.isArray(v) && v.some((x) => luaEquals(x, wanted)) ? true : fail(fmt(MSG.CONTAINS, wanted)),
  custom_validator: (v, fn) => {
    const res = (fn as (value: unknown) => true | string | [boolean, string?])(v);
    if (res === true) return true;
    if (typeof res === 'string') return fail(res);
    if (Array.isArray(res)) return res[0] ? true : fail(res[1]);
    return fail();
  },
  mutually_exclusive_subsets: (v, subsets) => {
    const memberOf: string[][] = [];
    for (const val of v as unknown[]) {
      const subset = (subsets as string[][]).find((s) => s.includes(val as string));
      if (subset && !memberOf.includes(subset)) memberOf.push(subset);
    }
    return memberOf.length <= 1 ? true : fail(fmt(MSG.MUTUALLY_EXCLUSIVE_SETS, quotedList(memberOf)));
  },
};

export const VALIDATORS_ORDER = [
  'eq', 'ne', 'not_one_of', 'one_of', 'gt', 'timestamp', 'uuid', 'is_regex', 'between',
  'len_eq', 'len_min', 'len_max', 'starts_with', 'not_match', 'match_none', 'match', 'match_all',
  'match_any', 'contains', 'custom_validator', 'mutually_exclusive_subsets',
] as const;

const DEFAULT_MESSAGES: Record<string, string> = {
  timestamp: MSG.TIMESTAMP,
  uuid: MSG.UUID,
  is_regex: MSG.IS_REGEX,
};

/** Runs the validators a field declares; returns the first error message, or null. */
export function runValidators(field: FieldSpec, value: unknown): string | null {
  for (const name of VALIDATORS_ORDER) {
    const arg = field[name];
    if (arg === undefined) continue;
    const res = validators[name](value, arg, field);
    if (res === true) continue;
    const err = res.err ?? fmt(DEFAULT_MESSAGES[name] ?? MSG.VALIDATION, value);
    return typeof field.err === 'string' ? field.err : err;
  }
  return null;
}
