/** API inventory: the batch contract (contracts/inventory.schema.json) and what the stores keep. Times are epoch ms. */

export type Histogram = Record<string, number>;
export type ParamLocation = 'path' | 'query' | 'header' | 'cookie' | 'body';

export interface InventoryParamInput {
  in: ParamLocation;
  name: string;
  count: number;
  first_seen?: string;
  last_seen?: string;
  types: Histogram;
  formats?: Histogram;
  sensitive?: string[];
  distinct?: number;
  distinct_capped?: boolean;
}

export interface InventoryEndpointInput {
  service_id?: string | null;
  route_id?: string | null;
  method: string;
  template: string;
  count: number;
  first_seen: string;
  last_seen: string;
  hosts?: string[];
  content_types?: Histogram;
  statuses?: Histogram;
  params: InventoryParamInput[];
  params_capped?: number;
}

export interface InventoryBatch {
  batch_id: string;
  node_id: string;
  sent_at: string;
  capped?: Record<string, number>;
  endpoints: InventoryEndpointInput[];
}

export interface EndpointRecord {
  id: number;
  service_id: string;
  route_id: string;
  method: string;
  template: string;
  count: number;
  first_seen: number;
  last_seen: number;
  hosts: string[];
  content_types: Histogram;
  statuses: Histogram;
  /** Bit set, see SENSITIVE_BITS. */
  sensitive: number;
  params_capped: number;
}

export interface ParamRecord {
  endpoint_id: number;
  location: ParamLocation;
  name: string;
  count: number;
  first_seen: number;
  last_seen: number;
  types: Histogram;
  formats: Histogram;
  sensitive: number;
  distinct_values: number;
  distinct_capped: boolean;
}

export interface InventoryEndpoint extends EndpointRecord {
  params: ParamRecord[];
}

export interface InventoryFilter {
  /** Only endpoints first seen at/after this time or with a parameter first seen at/after it. */
  since?: number;
  route?: string;
  service?: string;
  limit: number;
}

/** An uploaded OpenAPI document reduced to what shadow detection needs. */
export interface StoredSpec {
  /** 'route:<id>', 'service:<id>' or '*'. */
  scope: string;
  document: unknown;
  /** Declared operations: `GET /users/{id}` (path without base path). */
  operations: string[];
  /** Base paths the API is served under ('' = root). */
  base_paths: string[];
  uploaded_at: number;
}

export interface InventoryIngestResult {
  duplicate: boolean;
  endpoints: number;
  params: number;
}

export interface InventoryNode {
  node_id: string;
  last_seen: number;
  capped: Record<string, number>;
  batches: number;
}

export interface InventoryStore {
  /** Merges a batch (idempotent per batch_id), all in one transaction. */
  ingest(batch: InventoryBatch, receivedAt: number): Promise<InventoryIngestResult>;
  list(filter: InventoryFilter): Promise<InventoryEndpoint[]>;
  nodes(): Promise<InventoryNode[]>;
  putSpec(spec: StoredSpec): Promise<void>;
  listSpecs(): Promise<StoredSpec[]>;
  deleteSpec(scope: string): Promise<boolean>;
}
