/**
 * The TypeScript face of contracts/event.schema.json: the one event shape the plugins send and the collector
 * stores. Both sides import it from here (neutral ground: neither imports the other's internals); the JSON
 * schema stays the validator of record.
 */
export type EventKind = 'attack' | 'brute_force' | 'api_violation' | 'denylisted_ip' | 'policy';
export type EventAction = 'blocked' | 'monitored' | 'passed';
export type EventPlugin = 'api-waf' | 'key-auth-ext';
export type EventMode = 'off' | 'monitoring' | 'safe_blocking' | 'block';

export interface EventFinding {
  type: string;
  point: string;
  excerpt?: string;
  confidence?: number;
  detail?: string;
}

export interface ContractEvent {
  id: string;
  time: string;
  kind: EventKind;
  plugin: EventPlugin;
  application_id?: string | null;
  request_id: string;
  route_id?: string | null;
  service_id?: string | null;
  consumer_id?: string | null;
  client_ip: string;
  host?: string | null;
  method: string;
  path: string;
  attack_types: string[];
  action: EventAction;
  mode?: EventMode | null;
  status?: number | null;
  rule?: string | null;
  findings: EventFinding[];
  extra?: Record<string, unknown>;
}

export interface EventBatch {
  node_id: string;
  sent_at: string;
  dropped?: Record<string, number>;
  events: ContractEvent[];
}
