import type { Summary } from './types';

/** Folds (action, kind) counts (numbers from SQLite, strings from pg) into the dashboard summary. */
export function summaryFrom(counts: { action: string; kind: string; n: number | string }[], uniqueIps: number | string): Summary {
  const byAction: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  for (const row of counts) {
    byAction[row.action] = (byAction[row.action] ?? 0) + Number(row.n);
    byKind[row.kind] = (byKind[row.kind] ?? 0) + Number(row.n);
  }
  const total = Object.values(byAction).reduce((a, b) => a + b, 0);
  return {
    total,
    blocked: byAction.blocked ?? 0,
    monitored: byAction.monitored ?? 0,
    passed: byAction.passed ?? 0,
    unique_ips: Number(uniqueIps),
    by_kind: byKind,
  };
}
