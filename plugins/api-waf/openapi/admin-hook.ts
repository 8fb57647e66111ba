/**
 * The Admin API hook for api-waf configs. Kong's schema DSL cannot run JavaScript, and a real Kong only
 * sees the DSL the pluginserver reports; the local gateway can do better: after the DSL validation of a
 * plugin entity (gateway/config/dao.ts `validate`), it calls the hook registered for the plugin's name
 * and, when it returns an error tree, answers 400 with `daoErrors.schemaViolation({ config: tree })`,
 * exactly like a DSL failure (`config.openapi.spec_inline: ... does not resolve`).
 * On a real Kong the same checks run at instance start (the plugin logs and applies fail_mode).
 */
import { rulesConfigErrors } from '../rules/parse';
import { openApiConfigErrors } from './check';

export type PluginConfigHook = (config: Record<string, unknown>) => Record<string, unknown> | null;

/** Error tree under `config`, or null when OpenAPI document, globs and RE2 rules are all usable. */
export function apiWafConfigErrors(config: Record<string, unknown>): Record<string, unknown> | null {
  const tree = { ...(openApiConfigErrors(config) ?? {}), ...(rulesConfigErrors(config) ?? {}) };
  return Object.keys(tree).length > 0 ? tree : null;
}

/** Hooks by plugin name, for the gateway's config layer. */
export const PLUGIN_CONFIG_HOOKS: Readonly<Record<string, PluginConfigHook>> = { 'api-waf': apiWafConfigErrors };

