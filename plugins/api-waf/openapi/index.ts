/** OpenAPI enforcement for api-waf: compile a document at instance start, check each request against it. */
export * from './types';
export { loadOpenApi, clearOpenApiCache, type CompiledApi, type LoadResult } from './compile';
export { validateRequest, type OpenApiRequest, type ValidateOptions } from './validate';
export { applyPolicy, parsePolicy, DEFAULT_POLICY, type PolicyOutcome } from './policy';
export { OpenApiEnforcer, optionsFromConfig, type OpenApiCheck, type OpenApiConfig } from './enforcer';
export { checkDocument, openApiConfigErrors } from './check';
export { OPENAPI_FIELD } from './schema-fields';
export { apiWafConfigErrors, PLUGIN_CONFIG_HOOKS, type PluginConfigHook } from './admin-hook';
