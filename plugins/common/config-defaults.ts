/**
 * Kong fills schema defaults before a plugin instance starts, but a plugin must not trust that blindly:
 * instances started by tests, by older Kong versions, or with a config written for an earlier plugin version
 * may miss fields. `fillDefaults` applies the plugin's own Kong-DSL schema the way Kong does (absent record
 * fields get their default; absent records are filled recursively) and leaves present values alone.
 */
export type FieldSpec = Record<string, unknown> & { type?: string; default?: unknown; fields?: FieldDef[] };
export type FieldDef = Record<string, FieldSpec>;

export function fillDefaults(fields: readonly FieldDef[], raw: unknown): Record<string, unknown> {
  const input = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...input };
  for (const def of fields) {
    const [name, spec] = Object.entries(def)[0];
    const value = input[name];
    if (spec.type === 'record' && Array.isArray(spec.fields)) {
      if (value === undefined || value === null) {
        out[name] = spec.required || spec.default !== undefined || hasDefaults(spec.fields) ? fillDefaults(spec.fields, spec.default ?? {}) : null;
      } else {
        out[name] = fillDefaults(spec.fields, value);
      }
    } else if (value === undefined || value === null) {
      out[name] = spec.default !== undefined ? structuredClone(spec.default) : null;
    }
  }
  return out;
}

function hasDefaults(fields: readonly FieldDef[]): boolean {
  return fields.some((def) => {
    const spec = Object.values(def)[0];
    return spec.default !== undefined || (spec.type === 'record' && Array.isArray(spec.fields) && hasDefaults(spec.fields));
  });
}
