/**
 * `plugin.ValidateConfig` — an extension of our pluginserver entry that Kong never calls: the local gateway's
 * Admin API asks a plugin to check what Kong's schema DSL cannot express (api-waf compiling its OpenAPI document,
 * its globs and RE2 rules), so a broken document is a 400 at Admin API time instead of a runtime failure.
 * A plugin opts in by exporting `ValidateConfig(config) => errorTree | null` next to `Schema`.
 * Reply: `{ Errors: <Kong error tree for config> | null }`.
 */
interface LoadedModule {
  mod?: { ValidateConfig?: (config: Record<string, unknown>) => Record<string, unknown> | null };
}

interface ServerWithPlugins {
  getPlugins(): Map<string, unknown>;
}

export function installConfigValidation(server: ServerWithPlugins): void {
  (server as unknown as Record<string, unknown>).ValidateConfig = async (args: { Name?: string; Config?: string }) => {
    const plugin = server.getPlugins().get(String(args?.Name ?? '')) as LoadedModule | undefined;
    if (!plugin) throw new Error(`${String(args?.Name)} not initizlied`);
    const validate = plugin.mod?.ValidateConfig;
    if (typeof validate !== 'function') return { Errors: null };
    const config = JSON.parse(String(args.Config ?? '{}')) as Record<string, unknown>;
    return { Errors: validate(config) ?? null };
  };
}
