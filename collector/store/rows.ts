import type { EventInput, StoredEvent } from './types';

/** Column order shared by both backends' INSERT statements. */
export const EVENT_COLUMNS = [
  'id', 'node_id', 'time', 'received_at', 'kind', 'plugin', 'application_id', 'request_id', 'route_id',
  'service_id', 'consumer_id', 'client_ip', 'host', 'method', 'path', 'attack_types', 'types', 'action', 'mode',
  'status', 'rule', 'findings', 'extra',
] as const;

/** Types an event counts under in charts and filters: its attack types, or its kind when it has none. */
export function eventTypes(event: EventInput): string[] {
  const types = event.attack_types.length > 0 ? event.attack_types : [event.kind];
  return [...new Set(types)];
}

/** Ids are UUIDs; stored lower-case so a retry in another letter case is still a duplicate. */
export function normalizeId(id: string): string {
  return id.toLowerCase();
}

export function eventRowValues(event: EventInput, nodeId: string, receivedAt: number): unknown[] {
  return [
    normalizeId(event.id), nodeId, Date.parse(event.time), receivedAt, event.kind, event.plugin,
    event.application_id ?? null, event.request_id, event.route_id ?? null, event.service_id ?? null,
    event.consumer_id ?? null, event.client_ip, event.host ?? null, event.method, event.path,
    JSON.stringify(event.attack_types), `,${eventTypes(event).join(',')},`, event.action, event.mode ?? null,
    event.status ?? null, event.rule ?? null, JSON.stringify(event.findings),
    event.extra === undefined ? null : JSON.stringify(event.extra),
  ];
}

export interface EventRow {
  id: string;
  node_id: string;
  time: number | string;
  received_at: number | string;
  kind: string;
  plugin: string;
  application_id: string | null;
  request_id: string;
  route_id: string | null;
  service_id: string | null;
  consumer_id: string | null;
  client_ip: string;
  host: string | null;
  method: string;
  path: string;
  attack_types: string | string[];
  action: string;
  mode: string | null;
  status: number | null;
  rule: string | null;
  findings: string | EventInput['findings'];
  extra: string | Record<string, unknown> | null;
}

/** SQLite returns JSON as text, pg returns JSONB parsed and BIGINT as string: accept both. */
function json<T>(value: string | T): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export function rowToEvent(row: EventRow): StoredEvent {
  const event: StoredEvent = {
    id: row.id,
    node_id: row.node_id,
    time: new Date(Number(row.time)).toISOString(),
    received_at: new Date(Number(row.received_at)).toISOString(),
    // rows were validated against the contract on ingest, so the enum columns hold contract values
    kind: row.kind as StoredEvent['kind'],
    plugin: row.plugin as StoredEvent['plugin'],
    application_id: row.application_id,
    request_id: row.request_id,
    route_id: row.route_id,
    service_id: row.service_id,
    consumer_id: row.consumer_id,
    client_ip: row.client_ip,
    host: row.host,
    method: row.method,
    path: row.path,
    attack_types: json<string[]>(row.attack_types),
    action: row.action as StoredEvent['action'],
    mode: row.mode as StoredEvent['mode'],
    status: row.status,
    rule: row.rule,
    findings: json<EventInput['findings']>(row.findings),
  };
  if (row.extra !== null) event.extra = json<Record<string, unknown>>(row.extra);
  return event;
}
