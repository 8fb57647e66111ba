/** The storage interface shared by the SQLite and PostgreSQL backends. Times are epoch milliseconds. */
import type { ContractEvent, EventBatch, EventFinding } from '../../contracts/event';
import type { InventoryStore } from './inventory-types';

/** One event and one batch as the contract (contracts/event.schema.json) defines them. */
export type EventInput = ContractEvent;
export type Finding = EventFinding;
export type { EventBatch };

/** An event as the query API returns it: the contract fields plus what the collector adds. */
export interface StoredEvent extends EventInput {
  node_id: string;
  received_at: string;
}

export interface IngestResult {
  accepted: number;
  duplicate: number;
}

export interface EventFilter {
  from: number;
  to: number;
  type?: string;
  kind?: string;
  action?: string;
  clientIp?: string;
  route?: string;
  nodeId?: string;
  text?: string;
}

/** Keyset cursor: the (time, id) of the last row of the previous page. */
export interface EventCursor {
  time: number;
  id: string;
}

export interface EventPage {
  events: StoredEvent[];
  next_cursor: EventCursor | null;
  /** Matching events, counted up to `totalCap`; `total_capped` says the real number may be higher. */
  total: number;
  total_capped: boolean;
}

export interface TimeRange {
  from: number;
  to: number;
}

export interface TimeseriesPoint {
  t: number;
  type: string;
  count: number;
}

export interface Summary {
  total: number;
  blocked: number;
  monitored: number;
  passed: number;
  unique_ips: number;
  by_kind: Record<string, number>;
}

export interface TopRoute {
  route_id: string | null;
  path: string;
  count: number;
  blocked: number;
}

export interface TopIp {
  client_ip: string;
  count: number;
  blocked: number;
  last_seen: number;
}

export interface NodeStatus {
  node_id: string;
  last_seen: number;
  dropped: Record<string, number>;
  events_accepted: number;
  batches: number;
}

export type IpListName = 'deny' | 'grey' | 'allow';

export interface IpListEntryInput {
  cidr: string;
  list: IpListName;
  reason: string | null;
  expires_at: number | null;
}

export interface IpListEntry extends IpListEntryInput {
  id: number;
  created_at: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** API discovery's inventory (inventory-sqlite.ts / inventory-postgres.ts). */
  readonly inventory: InventoryStore;
  /** Inserts new events, skips ids already stored, and records the node's counters, all in one transaction. */
  ingest(batch: EventBatch, receivedAt: number): Promise<IngestResult>;
  queryEvents(filter: EventFilter, cursor: EventCursor | null, limit: number, totalCap: number): Promise<EventPage>;
  getEvent(id: string): Promise<StoredEvent | null>;
  summary(range: TimeRange): Promise<Summary>;
  timeseries(range: TimeRange, bucketMs: number): Promise<TimeseriesPoint[]>;
  topRoutes(range: TimeRange, limit: number): Promise<TopRoute[]>;
  topIps(range: TimeRange, limit: number): Promise<TopIp[]>;
  nodes(): Promise<NodeStatus[]>;
  /** Entries that have not expired at `now`, oldest first. */
  listIpEntries(now: number): Promise<IpListEntry[]>;
  /** Adds an entry, or updates reason/expiry when the same cidr is already on that list. */
  upsertIpEntry(entry: IpListEntryInput, now: number): Promise<{ entry: IpListEntry; created: boolean }>;
  deleteIpEntry(id: number): Promise<boolean>;
  /** Deletes events older than `before` and expired list entries; returns the number of events deleted. */
  prune(before: number, now: number): Promise<number>;
  close(): Promise<void>;
}
