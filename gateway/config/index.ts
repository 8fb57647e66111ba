/** The configuration side of the local gateway: entity store, declarative config, Kong schema validation. */
export * from './types';
export { ConfigStore, DECLARATIVE_DEFAULT_WORKSPACE_ID, type ConfigStoreOptions, type DatabaseMode } from './store';
export { KongDaoError, daoErrors, type KongError, type ErrorTree, type ErrorTreeObject } from './errors';
export { processAutoFields, validateRecord, validateField, type RecordSchema } from './kong-schema';
export { checkPluginSchema, pluginSchemaProblem } from './metaschema';
export { loadPluginSchema } from './plugin-schemas';
export { DeclarativeLoader, parseDeclarativeText } from './declarative';
export { exportDeclarativeYaml } from './declarative-export';
export { ENTITY_NAMES, type EntityName } from './entities';
