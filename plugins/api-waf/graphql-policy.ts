/**
 * The GraphQL policy: limits that stop resource-exhaustion and reconnaissance requests even when no
 * payload is malicious (deep nesting, alias amplification, huge batches, oversized documents,
 * introspection, debug mode). Pure: the detection library supplies the summary of the parsed request.
 */
import type { GraphqlSummary } from '../../lib/types';
import type { WafConfig } from './config';

export interface PolicyViolation {
  /** e.g. graphql.max_depth */
  rule: string;
  point: string;
  detail: string;
}

export function graphqlViolations(summary: GraphqlSummary, policy: WafConfig['graphql'], debugRequested: boolean): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const add = (rule: string, detail: string): void => {
    out.push({ rule: `graphql.${rule}`, point: 'graphql.query', detail });
  };
  if (summary.maxDepth > policy.maxDepth) add('max_depth', `query depth ${summary.maxDepth} exceeds ${policy.maxDepth}`);
  if (summary.aliases > policy.maxAliases) add('max_aliases', `${summary.aliases} aliases exceed ${policy.maxAliases}`);
  if (summary.batchSize > policy.maxBatch) add('max_batch', `batch of ${summary.batchSize} operations exceeds ${policy.maxBatch}`);
  if (summary.queryBytes > policy.maxQueryBytes) add('max_query_bytes', `query of ${summary.queryBytes} bytes exceeds ${policy.maxQueryBytes}`);
  if (policy.denyIntrospection && summary.introspection) add('introspection', 'introspection query (__schema/__type) is denied');
  if (policy.denyDebug && debugRequested) add('debug', 'debug mode requested (debug parameter or extension) is denied');
  return out;
}

/** GraphQL servers commonly enable debug output with `?debug=1` / `debug=true` or an `extensions.debug` flag. */
export function debugRequested(query: string, body: string): boolean {
  const q = `&${query.toLowerCase()}`;
  if (q.includes('&debug=1') || q.includes('&debug=true') || q.includes('&debug&') || q.endsWith('&debug')) return true;
  return body.length > 0 && body.length < 1_000_000 && /"debug"\s*:\s*(true|1)\b/.test(body);
}
