import type { EventCursor, EventFilter } from './types';

/** Builds a WHERE clause for the event list; `placeholder(n)` renders the dialect's n-th (1-based) parameter. */
export function buildEventWhere(
  filter: EventFilter,
  cursor: EventCursor | null,
  placeholder: (n: number) => string,
  likeOperator: 'LIKE' | 'ILIKE',
): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const clauses = [`time >= ${p(filter.from)}`, `time < ${p(filter.to)}`];
  if (filter.type) clauses.push(`types LIKE ${p(`%,${escapeLike(filter.type)},%`)} ESCAPE '\\'`);
  if (filter.kind) clauses.push(`kind = ${p(filter.kind)}`);
  if (filter.action) clauses.push(`action = ${p(filter.action)}`);
  if (filter.clientIp) clauses.push(`client_ip = ${p(filter.clientIp)}`);
  if (filter.nodeId) clauses.push(`node_id = ${p(filter.nodeId)}`);
  if (filter.route) {
    // A path (what the dashboard links) or a Kong route id: one column each, so one index serves the page.
    clauses.push(filter.route.startsWith('/') ? `path = ${p(filter.route)}` : `route_id = ${p(filter.route)}`);
  }
  if (filter.text) {
    const pattern = `%${escapeLike(filter.text)}%`;
    // findings holds the masked excerpts and points; text search is a bounded scan inside the time range.
    const findings = likeOperator === 'ILIKE' ? 'findings::text' : 'findings';
    const like = (column: string): string => `${column} ${likeOperator} ${p(pattern)} ESCAPE '\\'`;
    clauses.push(`(${like('path')} OR ${like(findings)} OR ${like('rule')} OR request_id = ${p(filter.text)})`);
  }
  if (cursor) {
    clauses.push(`(time < ${p(cursor.time)} OR (time = ${p(cursor.time)} AND id < ${p(cursor.id)}))`);
  }
  return { where: clauses.join(' AND '), params };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
