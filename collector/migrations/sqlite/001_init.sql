-- Events as received from the plugins. Times are epoch milliseconds; JSON columns hold text.
CREATE TABLE events (
  id             TEXT PRIMARY KEY,
  node_id        TEXT NOT NULL,
  time           INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  plugin         TEXT NOT NULL,
  application_id TEXT,
  request_id     TEXT NOT NULL,
  route_id       TEXT,
  service_id     TEXT,
  consumer_id    TEXT,
  client_ip      TEXT NOT NULL,
  host           TEXT,
  method         TEXT NOT NULL,
  path           TEXT NOT NULL,
  attack_types   TEXT NOT NULL,  -- JSON array as sent
  types          TEXT NOT NULL,  -- ',sqli,xss,' (the kind when no attack type): cheap exact type filter
  action         TEXT NOT NULL,
  mode           TEXT,
  status         INTEGER,
  rule           TEXT,
  findings       TEXT NOT NULL,  -- JSON array
  extra          TEXT            -- JSON object
);
-- Dashboard: covering indexes for the range aggregates (summary, top IPs, top routes), then drill-downs.
CREATE INDEX events_time_stats ON events (time, action, kind, client_ip);
CREATE INDEX events_time_route ON events (time, route_id, path, action);
CREATE INDEX events_ip_time ON events (client_ip, time);
CREATE INDEX events_path_time ON events (path, time);
CREATE INDEX events_route_time ON events (route_id, time);

-- One row per (event, attack type) so "attacks over time by type" is an index-only scan.
CREATE TABLE event_types (
  event_id TEXT NOT NULL,
  time     INTEGER NOT NULL,
  type     TEXT NOT NULL
);
CREATE INDEX event_types_time_type ON event_types (time, type);

CREATE TABLE nodes (
  node_id         TEXT PRIMARY KEY,
  last_seen       INTEGER NOT NULL,
  dropped         TEXT NOT NULL DEFAULT '{}',
  events_accepted INTEGER NOT NULL DEFAULT 0,
  batches         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ip_lists (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  cidr       TEXT NOT NULL,
  list       TEXT NOT NULL CHECK (list IN ('deny', 'grey', 'allow')),
  reason     TEXT,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (list, cidr)
);
CREATE INDEX ip_lists_expires ON ip_lists (expires_at);
