/**
 * Kong 3.x core entity schemas (`kong/db/schema/entities/{services,routes,routes_subschemas,
 * consumers,plugins}.lua`) in the JSON schema DSL. Route flavour: `traditional_compatible`
 * without the ATC expression check. Plugin subschemas come from the PluginCatalog.
 */
import type { FieldSpec, RecordSchema } from './kong-schema';
import { typedefs } from './typedefs';

export type EntityName = 'services' | 'routes' | 'consumers' | 'plugins';
export const ENTITY_NAMES: EntityName[] = ['services', 'routes', 'consumers', 'plugins'];

export interface ForeignRelation {
  /** the entity holding the foreign key */
  entity: EntityName;
  field: string;
  reference: EntityName;
  onDelete: 'cascade' | 'restrict';
}

const timeout = (): FieldSpec => ({ type: 'integer', between: [1, 2 ** 31 - 2], default: 60000 });

export const servicesSchema: RecordSchema = {
  name: 'services',
  primary_key: ['id'],
  endpoint_key: 'name',
  fields: [
    { id: typedefs.uuid() },
    { created_at: typedefs.autoTimestamp() },
    { updated_at: typedefs.autoTimestamp() },
    { name: typedefs.utf8Name() },
    { retries: { type: 'integer', default: 5, between: [0, 32767] } },
    { protocol: typedefs.protocol({ required: true, default: 'http' }) },
    { host: typedefs.host({ required: true }) },
    { port: typedefs.port({ required: true, default: 80 }) },
    { path: typedefs.path() },
    { connect_timeout: timeout() },
    { write_timeout: timeout() },
    { read_timeout: timeout() },
    { tags: typedefs.tags() },
    { client_certificate: { type: 'foreign', reference: 'certificates' } },
    { tls_verify: { type: 'boolean' } },
    { tls_verify_depth: { type: 'integer', default: null, between: [0, 64] } },
    { ca_certificates: { type: 'array', elements: { type: 'string', uuid: true } } },
    { enabled: { type: 'boolean', required: true, default: true } },
  ],
  entity_checks: [
    { conditional: { if_field: 'protocol', if_match: { one_of: ['tcp', 'tls', 'udp', 'grpc', 'grpcs'] }, then_field: 'path', then_match: { eq: null } } },
    ...['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates'].map((f) => ({
      conditional: { if_field: 'protocol', if_match: { not_one_of: ['https', 'tls'] }, then_field: f, then_match: { eq: null } },
    })),
  ],
};

const noField = (base: FieldSpec, err: string): FieldSpec => ({ ...base, eq: null, err });

const httpRouteSubschema: RecordSchema = {
  name: 'http',
  fields: [
    { sources: noField(typedefs.sourcesOrDestinations(), "cannot set 'sources' when 'protocols' is 'http' or 'https'") },
    { destinations: noField(typedefs.sourcesOrDestinations(), "cannot set 'destinations' when 'protocols' is 'http' or 'https'") },
  ],
  entity_checks: [
    {
      conditional_at_least_one_of: {
        if_field: 'protocols',
        if_match: { contains: 'https' },
        then_at_least_one_of: ['methods', 'hosts', 'headers', 'paths', 'snis'],
        then_err: "must set one of %s when 'protocols' is 'https'",
        else_match: { contains: 'http' },
        else_then_at_least_one_of: ['methods', 'hosts', 'headers', 'paths'],
        else_then_err: "must set one of %s when 'protocols' is 'http'",
      },
    },
  ],
};

const STREAM_ERR = "when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'";
const streamRouteSubschema: RecordSchema = {
  name: 'tcp',
  fields: [
    { methods: noField(typedefs.methods(), `cannot set 'methods' ${STREAM_ERR}`) },
    { hosts: noField(typedefs.hosts(), `cannot set 'hosts' ${STREAM_ERR}`) },
    { paths: noField(typedefs.routerPaths(), `cannot set 'paths' ${STREAM_ERR}`) },
    { headers: noField(typedefs.headers(), `cannot set 'headers' ${STREAM_ERR}`) },
  ],
  entity_checks: [
    {
      conditional_at_least_one_of: {
        if_field: 'protocols',
        if_match: { elements: { type: 'string', one_of: ['tcp', 'tls', 'udp'] } },
        then_at_least_one_of: ['sources', 'destinations', 'snis'],
        then_err: "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'",
      },
    },
    {
      conditional_at_least_one_of: {
        if_field: 'protocols',
        if_match: { elements: { type: 'string', one_of: ['tls_passthrough'] } },
        then_at_least_one_of: ['snis'],
        then_err: "must set snis when 'protocols' is 'tls_passthrough'",
      },
    },
  ],
};

const grpcRouteSubschema: RecordSchema = {
  name: 'grpc',
  fields: [
    { strip_path: { type: 'boolean', required: true, default: false, ne: true, err: "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'" } },
    { methods: noField(typedefs.methods(), "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'") },
    { sources: noField(typedefs.sourcesOrDestinations(), "cannot set 'sources' when 'protocols' is 'grpc' or 'grpcs'") },
    { destinations: noField(typedefs.sourcesOrDestinations(), "cannot set 'destinations' when 'protocols' is 'grpc' or 'grpcs'") },
  ],
  entity_checks: [
    {
      conditional_at_least_one_of: {
        if_field: 'protocols',
        if_match: { contains: 'grpcs' },
        then_at_least_one_of: ['hosts', 'headers', 'paths', 'snis'],
        then_err: "must set one of %s when 'protocols' is 'grpcs'",
        else_match: { contains: 'grpc' },
        else_then_at_least_one_of: ['hosts', 'headers', 'paths'],
        else_then_err: "must set one of %s when 'protocols' is 'grpc'",
      },
    },
  ],
};

const routeSubschemas: Record<string, RecordSchema> = {
  http: httpRouteSubschema,
  https: httpRouteSubschema,
  tcp: streamRouteSubschema,
  tls: streamRouteSubschema,
  udp: streamRouteSubschema,
  tls_passthrough: streamRouteSubschema,
  grpc: grpcRouteSubschema,
  grpcs: grpcRouteSubschema,
};

export const routesSchema: RecordSchema = {
  name: 'routes',
  primary_key: ['id'],
  endpoint_key: 'name',
  subschema_key: 'protocols',
  subschemas: (key) => routeSubschemas[key],
  fields: [
    { id: typedefs.uuid() },
    { created_at: typedefs.autoTimestamp() },
    { updated_at: typedefs.autoTimestamp() },
    { name: typedefs.utf8Name() },
    {
      protocols: {
        type: 'set',
        len_min: 1,
        required: true,
        elements: typedefs.protocol(),
        mutually_exclusive_subsets: [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']],
        default: ['http', 'https'],
      },
    },
    { https_redirect_status_code: { type: 'integer', one_of: [426, 301, 302, 307, 308], default: 426, required: true } },
    { strip_path: { type: 'boolean', required: true, default: true } },
    { preserve_host: { type: 'boolean', required: true, default: false } },
    { request_buffering: { type: 'boolean', required: true, default: true } },
    { response_buffering: { type: 'boolean', required: true, default: true } },
    { tags: typedefs.tags() },
    { service: { type: 'foreign', reference: 'services' } },
    { snis: { type: 'set', elements: typedefs.sni() } },
    { sources: typedefs.sourcesOrDestinations() },
    { destinations: typedefs.sourcesOrDestinations() },
    { methods: typedefs.methods() },
    { hosts: typedefs.hosts() },
    { paths: typedefs.routerPaths() },
    { headers: typedefs.headers() },
    { regex_priority: { type: 'integer', default: 0 } },
    { path_handling: { type: 'string', default: 'v0', one_of: ['v0', 'v1'] } },
  ],
  entity_checks: [
    {
      conditional: {
        if_field: 'protocols',
        if_match: { elements: { type: 'string', not_one_of: ['grpcs', 'https', 'tls', 'tls_passthrough'] } },
        then_field: 'snis',
        then_match: { len_eq: 0 },
        then_err: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
      },
    },
  ],
};

export const consumersSchema: RecordSchema = {
  name: 'consumers',
  primary_key: ['id'],
  endpoint_key: 'username',
  fields: [
    { id: typedefs.uuid() },
    { created_at: typedefs.autoTimestamp() },
    { updated_at: typedefs.autoTimestamp() },
    { username: { type: 'string', unique: true } },
    { custom_id: { type: 'string', unique: true } },
    { tags: typedefs.tags() },
  ],
  entity_checks: [{ at_least_one_of: ['custom_id', 'username'] }],
};

export const PLUGIN_NOT_ENABLED = "plugin '%s' not enabled; add it to the 'plugins' configuration property";

export function pluginsSchema(subschemas: (name: string) => RecordSchema | undefined): RecordSchema {
  return {
    name: 'plugins',
    primary_key: ['id'],
    endpoint_key: 'instance_name',
    cache_key: ['name', 'route', 'service', 'consumer'],
    subschema_key: 'name',
    subschema_error: PLUGIN_NOT_ENABLED,
    subschemas,
    fields: [
      { id: typedefs.uuid() },
      { name: { type: 'string', required: true } },
      { instance_name: typedefs.utf8Name() },
      { created_at: typedefs.autoTimestamp() },
      { updated_at: typedefs.autoTimestamp() },
      { route: { type: 'foreign', reference: 'routes', default: null, on_delete: 'cascade' } },
      { service: { type: 'foreign', reference: 'services', default: null, on_delete: 'cascade' } },
      { consumer: { type: 'foreign', reference: 'consumers', default: null, on_delete: 'cascade' } },
      { config: { type: 'record', abstract: true } },
      { protocols: typedefs.protocols() },
      { enabled: { type: 'boolean', required: true, default: true } },
      { tags: typedefs.tags() },
    ],
  };
}

export const RELATIONS: ForeignRelation[] = [
  { entity: 'routes', field: 'service', reference: 'services', onDelete: 'restrict' },
  { entity: 'plugins', field: 'route', reference: 'routes', onDelete: 'cascade' },
  { entity: 'plugins', field: 'service', reference: 'services', onDelete: 'cascade' },
  { entity: 'plugins', field: 'consumer', reference: 'consumers', onDelete: 'cascade' },
];

/** Fields that must be unique across an entity type (`unique = true`). */
export const UNIQUE_FIELDS: Record<EntityName, string[]> = {
  services: ['name'],
  routes: ['name'],
  consumers: ['username', 'custom_id'],
  plugins: ['instance_name'],
};
