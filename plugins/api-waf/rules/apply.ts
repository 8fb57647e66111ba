/**
 * Applying exceptions and custom rules to one request.
 * - Exceptions run on the inspector's verdict (cheap: a filter over at most a few dozen findings) and
 *   remove findings at their point; the verdict's `types` and `attack` are recomputed. They can also
 *   silence OpenAPI violations, but only classes they name explicitly.
 * - Custom rules run on the request's points (the ones the inspector produced, or parseRequest's): each
 *   rule fires at most once per request, on the first point its glob and matcher accept.
 */
import { ATTACK_TYPES, type Point, type Verdict } from '../../../lib/types';
import { containerPoint } from './glob';
import type { CompiledException, CompiledRule, RequestLine, RuleHit, Silenced } from './types';

const EXCERPT = 200;

function appliesTo(r: { method: string | null; path: { test(s: string): boolean } }, req: RequestLine): boolean {
  return (r.method === null || r.method === req.method.toUpperCase()) && r.path.test(req.path);
}

export function applyExceptions(exceptions: readonly CompiledException[], req: RequestLine, verdict: Verdict): { verdict: Verdict; silenced: Silenced[] } {
  if (exceptions.length === 0 || verdict.findings.length === 0) return { verdict, silenced: [] };
  const active = exceptions.filter((e) => appliesTo(e, req));
  if (active.length === 0) return { verdict, silenced: [] };
  const silenced: Silenced[] = [];
  const findings = verdict.findings.filter((f) => {
    const at = containerPoint(f.point);
    const by = active.find((e) => (e.types === null || e.types.has(f.type)) && e.point.test(at));
    if (!by) return true;
    silenced.push({ rule: `exception:${by.id}`, point: f.point, type: f.type });
    return false;
  });
  if (silenced.length === 0) return { verdict, silenced };
  const present = new Set(findings.map((f) => f.type));
  const types = ATTACK_TYPES.filter((t) => present.has(t));
  return { verdict: { ...verdict, findings, types, attack: findings.length > 0 }, silenced };
}

/** Violations (OpenAPI) silenced by exceptions that name their class in attack_types. */
export function applyExceptionsToViolations<V extends { class: string; point: string }>(exceptions: readonly CompiledException[], req: RequestLine, violations: readonly V[]): { kept: V[]; silenced: Silenced[] } {
  const silenced: Silenced[] = [];
  const active = exceptions.filter((e) => e.types !== null && appliesTo(e, req));
  const kept = violations.filter((v) => {
    const by = active.find((e) => (e.types as ReadonlySet<string>).has(v.class) && e.point.test(containerPoint(v.point)));
    if (!by) return true;
    silenced.push({ rule: `exception:${by.id}`, point: v.point, type: v.class });
    return false;
  });
  return { kept, silenced };
}

/**
 * Per request: container points computed once, lower-cased values and UTF-8 bytes (for RE2) made lazily
 * once per point, and each distinct point glob tested once per point however many rules share it.
 */
export function evaluateRules(rules: readonly CompiledRule[], req: RequestLine, points: readonly Point[]): RuleHit[] {
  if (rules.length === 0) return [];
  const active = rules.filter((r) => appliesTo(r, req));
  if (active.length === 0) return [];
  const containers = points.map((p) => containerPoint(p.path));
  const lower: Array<string | undefined> = [];
  const bytes: Array<Buffer | undefined> = [];
  const globHits = new Map<string, Int8Array>();
  const atPoint = (rule: CompiledRule, i: number): boolean => {
    let memo = globHits.get(rule.point.source);
    if (!memo) globHits.set(rule.point.source, (memo = new Int8Array(points.length)));
    if (memo[i] === 0) memo[i] = rule.point.test(containers[i]) ? 1 : -1;
    return memo[i] === 1;
  };
  const valueMatches = (rule: CompiledRule, i: number): boolean => {
    if (rule.re) return rule.re.test((bytes[i] ??= Buffer.from(points[i].value, 'utf8')));
    const v = rule.ignoreCase ? (lower[i] ??= points[i].value.toLowerCase()) : points[i].value;
    return rule.match === 'equals' ? v === rule.needle : v.includes(rule.needle);
  };
  const hits: RuleHit[] = [];
  for (const rule of active) {
    for (let i = 0; i < points.length; i++) {
      if (!atPoint(rule, i) || !valueMatches(rule, i)) continue;
      const p = points[i];
      hits.push({ rule: `rule:${rule.id}`, action: rule.action, type: rule.attackType, point: p.path, excerpt: p.value.slice(0, EXCERPT) });
      break;
    }
  }
  return hits;
}
