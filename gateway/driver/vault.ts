/**
 * Kong vault references in plugin config, env vault only (`kong/pdk/vault.lua: parse_reference`,
 * `kong/vaults/env/init.lua`). A `referenceable: true` string field may hold `{vault://env/NAME}`
 * (value of env var NAME, upper-cased, `-` -> `_`) or `{vault://env/NAME/key}` (the env var holds
 * JSON; `key` selects a property). Kong resolves references before the config reaches the plugin;
 * an unresolvable reference becomes nil with a warning.
 */
import type { KongFieldDef, KongFieldSpec } from '../config/types';

const REFERENCE_RE = /^\{vault:\/\/([^/}]+)\/([^}]*)\}$/;

export function isReference(value: unknown): value is string {
  return typeof value === 'string' && REFERENCE_RE.test(value);
}

export type VaultResult = { ok: true; value: string } | { ok: false; error: string };

export function resolveReference(reference: string, env: NodeJS.ProcessEnv = process.env): VaultResult {
  const m = REFERENCE_RE.exec(reference);
  if (!m) return { ok: false, error: `not a reference [${reference}]` };
  const [, vault, rawPath] = m;
  if (vault !== 'env') return { ok: false, error: `vault not found (${vault}) [${reference}]` };
  const path = rawPath.split('#')[0].split('?')[0];
  if (path === '') return { ok: false, error: `reference url has empty path [${reference}]` };
  const parts = path.split('/').filter((p) => p !== '');
  const resource = decodeURIComponent(parts.length > 1 ? parts.slice(0, -1).join('/') : parts[0]);
  const key = parts.length > 1 ? decodeURIComponent(parts[parts.length - 1]) : undefined;
  const value = env[resource.toUpperCase().replace(/-/g, '_')];
  if (value === undefined) return { ok: false, error: `could not get value from external vault (no value found (${reference}))` };
  if (key === undefined) return { ok: true, value };
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const v = parsed[key];
    if (typeof v === 'string') return { ok: true, value: v };
    return { ok: false, error: `could not find key ${key} (${reference})` };
  } catch {
    return { ok: false, error: `unable to json decode value (${reference})` };
  }
}

/** Returns a copy of `config` with references in referenceable string fields resolved. */
export function resolveConfigReferences(
  config: Record<string, unknown>,
  fields: KongFieldDef[],
  warn: (msg: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const def of fields) {
    const [name, spec] = Object.entries(def)[0] ?? [];
    if (!name || !spec) continue;
    out[name] = resolveValue(out[name], spec, warn, env, name);
  }
  return out;
}

function resolveValue(value: unknown, spec: KongFieldSpec, warn: (m: string) => void, env: NodeJS.ProcessEnv, where: string): unknown {
  if (value === undefined || value === null) return value;
  if (spec.type === 'string' && spec.referenceable && isReference(value)) {
    const r = resolveReference(value, env);
    if (r.ok) return r.value;
    warn(`unable to resolve reference ${value} (${r.error}) in field ${where}`);
    return null;
  }
  if ((spec.type === 'array' || spec.type === 'set') && Array.isArray(value) && spec.elements) {
    return value.map((v, i) => resolveValue(v, spec.elements as KongFieldSpec, warn, env, `${where}[${i}]`));
  }
  if (spec.type === 'record' && spec.fields && typeof value === 'object' && !Array.isArray(value)) {
    return resolveConfigReferences(value as Record<string, unknown>, spec.fields, warn, env);
  }
  return value;
}
