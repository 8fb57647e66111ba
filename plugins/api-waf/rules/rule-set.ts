/** What the handler holds per plugin instance: the compiled exceptions and custom rules. */
import { parseRequest } from '../../../lib/parsers/request';
import { mergeLimits } from '../../../lib/limits';
import type { HttpRequest, Limits, Point, Verdict } from '../../../lib/types';
import { applyExceptions, applyExceptionsToViolations, evaluateRules } from './apply';
import { parseRules } from './parse';
import type { CompiledException, CompiledRule, RequestLine, RuleHit, Silenced } from './types';

export class RuleSet {
  private constructor(
    readonly exceptions: readonly CompiledException[],
    readonly rules: readonly CompiledRule[],
  ) {}

  /** Never throws; `warnings` name the entries that were skipped and why. */
  static fromConfig(config: unknown): { ruleSet: RuleSet; warnings: string[] } {
    const parsed = parseRules(config);
    const warnings = parsed.errors.map((e) => `${e.field}[${e.index + 1}].${e.key}: ${e.message}; entry ignored`);
    return { ruleSet: new RuleSet(parsed.exceptions, parsed.rules), warnings };
  }

  get empty(): boolean {
    return this.exceptions.length === 0 && this.rules.length === 0;
  }

  /** Custom rules need the request's points; without rules nobody should pay for them. */
  get needsPoints(): boolean {
    return this.rules.length > 0;
  }

  exceptVerdict(req: RequestLine, verdict: Verdict): { verdict: Verdict; silenced: Silenced[] } {
    return applyExceptions(this.exceptions, req, verdict);
  }

  exceptViolations<V extends { class: string; point: string }>(req: RequestLine, violations: readonly V[]): { kept: V[]; silenced: Silenced[] } {
    return applyExceptionsToViolations(this.exceptions, req, violations);
  }

  /** `points`: the inspector's, when available; else the request is parsed once more with `limits`. */
  match(request: HttpRequest, points?: readonly Point[], limits?: Partial<Limits>): RuleHit[] {
    if (this.rules.length === 0) return [];
    const pts = points ?? parseRequest(request, mergeLimits(limits)).points;
    return evaluateRules(this.rules, request, pts);
  }
}
