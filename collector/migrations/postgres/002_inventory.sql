-- API inventory (discovery): endpoints per (service, route, method, template), merged across the fleet.
-- Counts are summed from node deltas; JSON columns hold histograms as JSONB; sensitive is a bit set
-- (email 1, card 2, iban 4, jwt 8, bearer 16, password 32) so merging is a bitwise OR.
CREATE TABLE inventory_batches (
  batch_id    TEXT PRIMARY KEY,
  node_id     TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE INDEX inventory_batches_received ON inventory_batches (received_at);

CREATE TABLE inventory_endpoints (
  id            BIGSERIAL PRIMARY KEY,
  service_id    TEXT NOT NULL DEFAULT '',
  route_id      TEXT NOT NULL DEFAULT '',
  method        TEXT NOT NULL,
  template      TEXT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  hosts         JSONB NOT NULL DEFAULT '[]'::jsonb,
  content_types JSONB NOT NULL DEFAULT '{}'::jsonb,
  statuses      JSONB NOT NULL DEFAULT '{}'::jsonb,
  sensitive     INTEGER NOT NULL DEFAULT 0,
  params_capped BIGINT NOT NULL DEFAULT 0,
  UNIQUE (service_id, route_id, method, template)
);
CREATE INDEX inventory_endpoints_first_seen ON inventory_endpoints (first_seen);

CREATE TABLE inventory_params (
  endpoint_id     BIGINT NOT NULL REFERENCES inventory_endpoints (id) ON DELETE CASCADE,
  location        TEXT NOT NULL,
  name            TEXT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  types           JSONB NOT NULL DEFAULT '{}'::jsonb,
  formats         JSONB NOT NULL DEFAULT '{}'::jsonb,
  sensitive       INTEGER NOT NULL DEFAULT 0,
  distinct_values BIGINT NOT NULL DEFAULT 0,
  distinct_capped BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (endpoint_id, location, name)
);
CREATE INDEX inventory_params_first_seen ON inventory_params (first_seen);

-- Per node: what its inventory could not track (caps), as last reported.
CREATE TABLE inventory_nodes (
  node_id   TEXT PRIMARY KEY,
  last_seen BIGINT NOT NULL,
  capped    JSONB NOT NULL DEFAULT '{}'::jsonb,
  batches BIGINT NOT NULL DEFAULT 0
);

-- OpenAPI documents uploaded by operators, per scope ('route:<id>', 'service:<id>' or '*'), for shadow detection.
CREATE TABLE inventory_specs (
  scope       TEXT PRIMARY KEY,
  document    JSONB NOT NULL,
  operations  JSONB NOT NULL,
  base_paths  JSONB NOT NULL,
  uploaded_at BIGINT NOT NULL
);
