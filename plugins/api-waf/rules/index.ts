/** Exceptions (false-positive suppressions) and custom rules (virtual patches) for api-waf. */
export * from './types';
export { compileGlob, containerPoint, type Glob } from './glob';
export { parseRules, rulesConfigErrors, type ParsedRules, type RuleError } from './parse';
export { applyExceptions, applyExceptionsToViolations, evaluateRules } from './apply';
export { RuleSet } from './rule-set';
export { RULES_FIELDS } from './schema-fields';
