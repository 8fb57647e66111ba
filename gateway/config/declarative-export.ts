/**
 * Export as `kong config db_export` / `GET /config` do (`kong/db/declarative/export.lua`):
 * `_format_version: "3.0"`, `_transform: false`, flat top-level lists, foreign keys written as
 * plain ids, nulls kept. Loading the output gives back the same entities (timestamps included).
 */
import { stringify } from 'yaml';
import type { ConfigSnapshot } from './types';
import { isObject } from './kong-schema';

const ORDER = ['services', 'routes', 'consumers', 'plugins'] as const;

export function exportDeclarativeObject(snapshot: ConfigSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { _format_version: '3.0', _transform: false };
  for (const entity of ORDER) {
    const rows = snapshot[entity] as unknown as Array<Record<string, unknown>>;
    if (rows.length === 0) continue;
    out[entity] = rows.map((row) => {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) copy[k] = isObject(v) && typeof v.id === 'string' && Object.keys(v).length === 1 && k !== 'config' ? v.id : v;
      return copy;
    });
  }
  return out;
}

export function exportDeclarativeYaml(snapshot: ConfigSnapshot): string {
  return stringify(exportDeclarativeObject(snapshot), { lineWidth: 0, aliasDuplicateObjects: false });
}
