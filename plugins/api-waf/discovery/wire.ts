/** The inventory batch as contracts/inventory.schema.json defines it (node → collector). */
import type { ParamIn } from './extract';

export interface WireParam {
  in: ParamIn;
  name: string;
  count: number;
  first_seen: string;
  last_seen: string;
  /** Occurrences per JSON type (integer, number, boolean, string, null, object, array). */
  types: Record<string, number>;
  /** Occurrences per string format (uuid, email, date, date-time, ipv4, uri, jwt, base64, base64url, hex). */
  formats: Record<string, number>;
  sensitive: string[];
  /** Distinct values seen on this node (hashes, never the values), at most the cap. */
  distinct: number;
  distinct_capped: boolean;
}

export interface WireEndpoint {
  service_id: string | null;
  route_id: string | null;
  method: string;
  template: string;
  count: number;
  first_seen: string;
  last_seen: string;
  hosts: string[];
  /** Requests per body kind (json, form, multipart, xml, text, other, none). */
  content_types: Record<string, number>;
  /** Responses per status, when the node observed them. */
  statuses: Record<string, number>;
  params: WireParam[];
  /** Parameters not tracked because the endpoint reached max_params_per_endpoint. */
  params_capped: number;
}

export interface InventoryBatch {
  batch_id: string;
  node_id: string;
  sent_at: string;
  /** What this node could not track since it started: endpoints, params, body_unparsed, ... */
  capped: Record<string, number>;
  endpoints: WireEndpoint[];
}
