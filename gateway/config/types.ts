/**
 * Kong 3.x core entities as the local gateway stores them (the Admin API's JSON shapes).
 * This file is the contract between the configuration side (gateway/config, gateway/admin:
 * kong.yaml, Admin API, persistence) and the runtime side (gateway/proxy, gateway/driver:
 * routing, proxying, running plugins in the real pluginserver).
 *
 * Shapes follow Kong 3.x `kong/db/schema/entities/{services,routes,consumers,plugins}.lua`:
 * foreign keys are `{ id }` objects or null, timestamps are integer seconds.
 */

export interface ForeignKey {
  id: string;
}

export interface Service {
  id: string;
  name: string | null;
  protocol: 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'udp' | 'ws' | 'wss';
  host: string;
  port: number;
  path: string | null;
  retries: number;
  connect_timeout: number;
  write_timeout: number;
  read_timeout: number;
  tags: string[] | null;
  enabled: boolean;
  created_at: number;
  updated_at: number;
  /** Kong 3.x TLS fields (the store always fills them; null when unset). */
  client_certificate?: ForeignKey | null;
  tls_verify?: boolean | null;
  tls_verify_depth?: number | null;
  ca_certificates?: string[] | null;
}

export interface Route {
  id: string;
  name: string | null;
  protocols: string[];
  methods: string[] | null;
  hosts: string[] | null;
  paths: string[] | null;
  headers: Record<string, string[]> | null;
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  path_handling: 'v0' | 'v1';
  https_redirect_status_code: number;
  request_buffering: boolean;
  response_buffering: boolean;
  tags: string[] | null;
  service: ForeignKey | null;
  created_at: number;
  updated_at: number;
  /** Kong 3.x stream/TLS matching fields (the store always fills them; null when unset). */
  snis?: string[] | null;
  sources?: Array<{ ip?: string | null; port?: number | null }> | null;
  destinations?: Array<{ ip?: string | null; port?: number | null }> | null;
}

export interface Consumer {
  id: string;
  username: string | null;
  custom_id: string | null;
  tags: string[] | null;
  created_at: number;
  updated_at: number;
}

export interface Plugin {
  id: string;
  name: string;
  instance_name: string | null;
  /** Full config with schema defaults filled in and unset fields as null, as Kong stores it. */
  config: Record<string, unknown>;
  protocols: string[];
  enabled: boolean;
  route: ForeignKey | null;
  service: ForeignKey | null;
  consumer: ForeignKey | null;
  tags: string[] | null;
  created_at: number;
  updated_at: number;
}

/** An immutable view of the whole configuration. A new object (with a higher version) after every change. */
export interface ConfigSnapshot {
  /** Increments on every accepted change (Admin API write, POST /config, reload). */
  version: number;
  /** The Kong workspace id sent to plugins as `__ws_id` (Kong OSS has only the default workspace). */
  workspaceId: string;
  services: Service[];
  routes: Route[];
  consumers: Consumer[];
  plugins: Plugin[];
}

/** What the runtime needs from the configuration side. */
export interface ConfigSource {
  snapshot(): ConfigSnapshot;
  /** Called after every accepted change with the new snapshot. Returns an unsubscribe function. */
  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void;
}

/** One Kong schema DSL field definition, as JSON: `{ <fieldName>: { type, required, default, ... } }`. */
export type KongFieldDef = Record<string, KongFieldSpec>;

export interface KongFieldSpec {
  /** The nine config types, plus Kong's `foreign` (entity references) and `function` (Lua-only validators). */
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'set' | 'map' | 'record' | 'json' | 'foreign' | 'function';
  required?: boolean;
  default?: unknown;
  one_of?: unknown[];
  between?: [number, number];
  gt?: number;
  len_min?: number;
  len_max?: number;
  len_eq?: number;
  match?: string;
  not_match?: string;
  starts_with?: string;
  elements?: KongFieldSpec;
  keys?: KongFieldSpec;
  values?: KongFieldSpec;
  fields?: KongFieldDef[];
  referenceable?: boolean;
  encrypted?: boolean;
  description?: string;
  [other: string]: unknown;
}

/** A plugin as the pluginserver's `--dump-all-plugins` query reports it (keys capitalised, as Kong reads them). */
export interface PluginInfo {
  Name: string;
  Version: string;
  Phases: string[];
  Priority: number;
  /** `{ name, fields: [ { config: { type: 'record', fields: [...] } } ] }` */
  Schema: { name: string; fields: KongFieldDef[] };
}

/** The plugins the runtime has loaded (from each pluginserver's query), by plugin name. */
export interface PluginCatalog {
  get(name: string): PluginInfo | undefined;
  list(): PluginInfo[];
}
