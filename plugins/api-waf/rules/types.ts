/** Exceptions (false-positive suppressions) and custom rules (virtual patches), compiled from config. */
import type { Glob } from './glob';

export interface RequestLine {
  method: string;
  /** Raw path as the plugin sees it (percent-encoded); `*` never spans a `/`. */
  path: string;
}

export interface CompiledException {
  id: string;
  method: string | null;
  path: Glob;
  point: Glob;
  /** Attack types (and OpenAPI violation classes) it silences; null: every attack type, no violation class. */
  types: ReadonlySet<string> | null;
}

export type MatchKind = 'equals' | 'contains' | 're2';

export interface CompiledRule {
  id: string;
  method: string | null;
  path: Glob;
  point: Glob;
  match: MatchKind;
  ignoreCase: boolean;
  action: 'block' | 'report';
  attackType: string;
  /** equals / contains: the value, lower-cased when ignoreCase. */
  needle: string;
  /** re2: the compiled expression (run on UTF-8 bytes, converted once per point). */
  re: { test(input: Buffer): boolean } | null;
}

/** One decision, for the event: `rule` is `exception:<id>` or `rule:<id>`. */
export interface Silenced {
  rule: string;
  point: string;
  type: string;
}

export interface RuleHit {
  rule: string;
  action: 'block' | 'report';
  type: string;
  point: string;
  /** The matched value, at most 200 characters (mask secrets before reporting). */
  excerpt: string;
}
