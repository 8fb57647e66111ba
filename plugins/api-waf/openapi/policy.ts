/**
 * What happens to each class of violation: ignore (dropped), report (an `api_violation` event) or block
 * (reported, and the request is refused where the plugin's mode blocks: monitoring still only reports).
 */
import { VIOLATION_CLASSES, type Violation, type ViolationAction, type ViolationPolicy } from './types';

export const DEFAULT_POLICY: ViolationPolicy = {
  unknown_endpoint: 'block',
  unknown_parameter: 'block',
  missing_parameter: 'block',
  invalid_parameter: 'block',
  invalid_body: 'block',
  wrong_content_type: 'block',
};

const ACTIONS: readonly ViolationAction[] = ['ignore', 'report', 'block'];

/** Kong-filled `openapi.on_violation` record → policy; unknown values fall back to the default. */
export function parsePolicy(raw: unknown): ViolationPolicy {
  const rec = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const out = { ...DEFAULT_POLICY };
  for (const cls of VIOLATION_CLASSES) {
    const v = rec[cls];
    if (typeof v === 'string' && (ACTIONS as readonly string[]).includes(v)) out[cls] = v as ViolationAction;
  }
  return out;
}

export interface PolicyOutcome {
  /** Violations to report (report and block classes). */
  reported: Violation[];
  /** At least one violation's class is `block`. */
  block: boolean;
  /** The event's `rule`: the first blocking violation's rule, else the first reported one's. */
  rule: string | null;
}

export function applyPolicy(violations: readonly Violation[], policy: ViolationPolicy): PolicyOutcome {
  const reported = violations.filter((v) => policy[v.class] !== 'ignore');
  const blocking = reported.find((v) => policy[v.class] === 'block');
  return { reported, block: blocking !== undefined, rule: (blocking ?? reported[0])?.rule ?? null };
}
