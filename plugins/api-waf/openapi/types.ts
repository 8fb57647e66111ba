/**
 * OpenAPI enforcement's vocabulary: where a document comes from, what a violation is, how a class of
 * violations is handled. Kept free of Ajv types so callers (handler, admin hook, bench) need only this.
 */

export const VIOLATION_CLASSES = [
  'unknown_endpoint',
  'unknown_parameter',
  'missing_parameter',
  'invalid_parameter',
  'invalid_body',
  'wrong_content_type',
] as const;

export type ViolationClass = (typeof VIOLATION_CLASSES)[number];

export type ViolationAction = 'ignore' | 'report' | 'block';

export type ViolationPolicy = Record<ViolationClass, ViolationAction>;

export interface Violation {
  class: ViolationClass;
  /** Where, in the library's point syntax: `query.limit`, `path.id`, `header.x-tenant`, `body.json.items.0.qty`. */
  point: string;
  /** For people: `query.limit: must be <= 100 (schema #/paths/~1orders/get/parameters/0/schema/maximum)`. */
  reason: string;
  /** For the event's `rule`: `openapi.invalid_parameter`. */
  rule: string;
  /** The operation matched (`operationId`, else `GET /orders/{id}`); null for unknown_endpoint. */
  operation: string | null;
}

/** A document named by a file path on the Kong node or given inline (JSON or YAML text). */
export type DocumentSource = { file: string } | { text: string; baseDir?: string };

export interface OpenApiOptions {
  source: DocumentSource;
  /**
   * Path prefix the API is served under, as the plugin sees the request (`/v1`). When set it replaces
   * the path parts of the document's `servers`; when null the servers' paths are used (none → `/`).
   */
  basePath?: string | null;
}

/** A broken document: unparsable, unresolvable `$ref`, a schema Ajv refuses. `message` is for the operator. */
export class OpenApiDocumentError extends Error {
  override readonly name = 'OpenApiDocumentError';
}
