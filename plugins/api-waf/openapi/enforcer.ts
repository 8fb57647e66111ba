/**
 * What the handler holds per plugin instance: the compiled document (or why there is none) and the
 * violation policy, built from the Kong-filled `openapi` config record at instance start. Building never
 * throws; `check()` is the per-request call.
 */
import type { CompiledApi } from './compile';
import { loadOpenApi } from './compile';
import { applyPolicy, parsePolicy, type PolicyOutcome } from './policy';
import type { OpenApiOptions, Violation, ViolationPolicy } from './types';
import { validateRequest, type OpenApiRequest } from './validate';

/** The `openapi` record as Kong fills it (see schema-fields.ts). */
export interface OpenApiConfig {
  enabled?: boolean;
  spec_file?: string | null;
  spec_inline?: string | null;
  base_path?: string | null;
  on_violation?: Record<string, unknown>;
}

export interface OpenApiCheck extends PolicyOutcome {
  violations: Violation[];
  /** The operation matched, for logs and events. */
  operation: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Config record → loader options; null when enforcement is off; a string when the record is unusable. */
export function optionsFromConfig(raw: unknown): OpenApiOptions | null | string {
  const rec = (raw !== null && typeof raw === 'object' ? raw : {}) as OpenApiConfig;
  if (rec.enabled !== true) return null;
  const file = str(rec.spec_file);
  const inline = str(rec.spec_inline);
  if (file && inline) return 'openapi: set spec_file or spec_inline, not both';
  if (!file && !inline) return 'openapi: enabled but neither spec_file nor spec_inline is set';
  return { source: file ? { file } : { text: inline as string }, basePath: str(rec.base_path) };
}

export class OpenApiEnforcer {
  private constructor(
    readonly api: CompiledApi,
    readonly policy: ViolationPolicy,
    private readonly maxBodyBytes: number,
  ) {}

  /**
   * `{ enforcer: null, error: null }`: enforcement is off. `error` set: the document is broken; the
   * plugin should log it and apply its fail_mode. `maxBodyBytes` caps decompressed bodies.
   */
  static fromConfig(raw: unknown, maxBodyBytes = 1048576): { enforcer: OpenApiEnforcer | null; error: string | null; cached: boolean } {
    const opts = optionsFromConfig(raw);
    if (opts === null) return { enforcer: null, error: null, cached: false };
    if (typeof opts === 'string') return { enforcer: null, error: opts, cached: false };
    const loaded = loadOpenApi(opts);
    if (!loaded.ok) return { enforcer: null, error: `openapi: ${loaded.error}`, cached: false };
    const policy = parsePolicy((raw as OpenApiConfig).on_violation);
    return { enforcer: new OpenApiEnforcer(loaded.api, policy, maxBodyBytes), error: null, cached: loaded.cached };
  }

  check(req: OpenApiRequest): OpenApiCheck {
    const violations = validateRequest(this.api, req, { maxBodyBytes: this.maxBodyBytes });
    const outcome = applyPolicy(violations, this.policy);
    return { ...outcome, violations, operation: violations[0]?.operation ?? null };
  }
}
