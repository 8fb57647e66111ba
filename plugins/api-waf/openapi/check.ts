/**
 * Config-time checks. `checkDocument()` answers "would this document compile?" with a message or null
 * (it compiles, so a following instance start in the same process finds it in the cache).
 * `openApiConfigErrors()` is the Admin API hook: Kong's schema DSL cannot call JavaScript, so the local
 * gateway calls it for api-waf plugin configs after the DSL validation and turns its error tree into the
 * same 400 schema-violation answer (`config.openapi.spec_inline: ...`).
 */
import { loadOpenApi } from './compile';
import { optionsFromConfig } from './enforcer';
import type { OpenApiOptions } from './types';

export function checkDocument(options: OpenApiOptions): string | null {
  const r = loadOpenApi(options);
  return r.ok ? null : r.error;
}

/** Error tree under the plugin's `config` (`{ openapi: { spec_file: "..." } }`) or null. */
export function openApiConfigErrors(config: unknown): Record<string, unknown> | null {
  const raw = config !== null && typeof config === 'object' ? (config as Record<string, unknown>).openapi : undefined;
  const opts = optionsFromConfig(raw);
  if (opts === null) return null;
  if (typeof opts === 'string') return { openapi: { '@entity': [opts.replace(/^openapi: /, '')] } };
  const err = checkDocument(opts);
  if (err === null) return null;
  return { openapi: { ['file' in opts.source ? 'spec_file' : 'spec_inline']: err } };
}
