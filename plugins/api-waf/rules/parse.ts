/**
 * Kong-filled `exceptions` / `custom_rules` arrays → compiled rules, at instance start. Problems Kong's
 * DSL cannot see (glob syntax, RE2 syntax, duplicate ids) are collected as errors: the plugin logs them
 * and skips the broken entry; the Admin API hook (check.ts) refuses them up front.
 */
import RE2 from 're2';
import { compileGlob, GlobError } from './glob';
import type { CompiledException, CompiledRule } from './types';

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Errors keyed by the field and index they belong to, for the Admin API error tree. */
export interface RuleError {
  field: 'exceptions' | 'custom_rules';
  index: number;
  key: string;
  message: string;
}

export interface ParsedRules {
  exceptions: CompiledException[];
  rules: CompiledRule[];
  errors: RuleError[];
}

function compileRe2(value: string, ignoreCase: boolean): { test(input: Buffer): boolean } {
  const re = new RE2(value, ignoreCase ? 'iu' : 'u');
  return { test: (input) => re.test(input as unknown as string) };
}

export function parseRules(config: unknown): ParsedRules {
  const cfg = rec(config);
  const out: ParsedRules = { exceptions: [], rules: [], errors: [] };
  const ids = new Set<string>();
  const entry = (field: RuleError['field'], index: number, raw: Raw): { id: string; method: string | null; path: ReturnType<typeof compileGlob>; point: ReturnType<typeof compileGlob> } | null => {
    const fail = (key: string, message: string): null => {
      out.errors.push({ field, index, key, message });
      return null;
    };
    const id = str(raw.id);
    if (!id) return fail('id', 'required field missing');
    if (ids.has(id)) return fail('id', `duplicate id "${id}" (ids name decisions in events, so they must be unique)`);
    ids.add(id);
    let path;
    let point;
    try {
      path = compileGlob(str(raw.path) ?? '/**', '/');
    } catch (err) {
      return fail('path', err instanceof GlobError ? err.message : String(err));
    }
    try {
      point = compileGlob(str(raw.point) ?? '', '.');
    } catch (err) {
      return fail('point', err instanceof GlobError ? err.message : String(err));
    }
    const method = str(raw.method);
    return { id, method: method ? method.toUpperCase() : null, path, point };
  };

  list(cfg.exceptions).forEach((item, i) => {
    const raw = rec(item);
    const base = entry('exceptions', i, raw);
    if (!base) return;
    const types = list(raw.attack_types).filter((t): t is string => typeof t === 'string');
    out.exceptions.push({ ...base, types: types.length > 0 ? new Set(types) : null });
  });

  list(cfg.custom_rules).forEach((item, i) => {
    const raw = rec(item);
    const base = entry('custom_rules', i, raw);
    if (!base) return;
    const kind = (['equals', 'contains', 're2'] as const).find((k) => k === raw.match) ?? 'contains';
    const value = typeof raw.value === 'string' ? raw.value : '';
    if (value === '') {
      out.errors.push({ field: 'custom_rules', index: i, key: 'value', message: 'required field missing' });
      return;
    }
    const ignoreCase = raw.ignore_case !== false;
    let re: CompiledRule['re'] = null;
    try {
      if (kind === 're2') re = compileRe2(value, ignoreCase);
    } catch (err) {
      out.errors.push({ field: 'custom_rules', index: i, key: 'value', message: `not a valid RE2 expression: ${(err as Error).message}` });
      return;
    }
    out.rules.push({
      ...base,
      match: kind,
      ignoreCase,
      action: raw.action === 'report' ? 'report' : 'block',
      attackType: str(raw.attack_type) ?? 'virtual_patch',
      needle: ignoreCase ? value.toLowerCase() : value,
      re,
    });
  });
  return out;
}

/** Admin API hook: `{ custom_rules: [null, { value: "..." }] }` (Kong's error tree shape for arrays) or null. */
export function rulesConfigErrors(config: unknown): Record<string, unknown> | null {
  const { errors } = parseRules(config);
  if (errors.length === 0) return null;
  const tree: Record<string, Array<Record<string, string> | null>> = {};
  for (const e of errors) {
    const arr = (tree[e.field] ??= []);
    while (arr.length <= e.index) arr.push(null);
    arr[e.index] = { ...(arr[e.index] ?? {}), [e.key]: e.message };
  }
  return tree;
}
