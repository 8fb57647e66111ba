import {
  Kind,
  parse,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { GraphqlSummary } from '../types';
import { messageOf, type ParseContext } from './context';
import { walkJson } from './json';
import { isPlainName } from './query';
import { addText } from './text';

/** Tokens the GraphQL lexer may produce per document: bounds parse work and parser recursion. */
const MAX_TOKENS = 20_000;

/** One GraphQL request: from GET parameters, a JSON body (or one element of a batch), or application/graphql. */
export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export function emptyGraphqlSummary(): GraphqlSummary {
  return { operations: 0, maxDepth: 0, aliases: 0, fields: 0, directives: 0, introspection: false, queryBytes: 0, batchSize: 0 };
}

/** Query text that starts like a GraphQL document (used to recognize GraphQL on paths not named graphql). */
export function looksLikeGraphql(q: string): boolean {
  const t = q.trimStart();
  return t.startsWith('{') || /^(query|mutation|subscription|fragment)\b/.test(t);
}

/**
 * Adds the points of one GraphQL request and folds its shape into `summary`: string literals in field
 * arguments `graphql.args.<field>.<arg>[.<key>...]`, directive arguments `graphql.directives.<name>.<arg>`,
 * variable defaults `graphql.defaults.<var>`, variables `graphql.variables.<path>` (a JSON walk; a string
 * holding JSON is parsed), a non-identifier operationName `graphql.operationName`. An unparseable query
 * is a parse_error and its text is inspected as `graphql.query`.
 */
export function parseGraphqlRequest(ctx: ParseContext, req: GraphqlRequest, summary: GraphqlSummary): void {
  summary.batchSize += 1;
  let variables = req.variables;
  if (typeof variables === 'string' && variables.trim() !== '') {
    try {
      variables = JSON.parse(variables) as unknown;
    } catch {
      ctx.parseError('graphql.variables', 'variables are not valid JSON');
    }
  }
  if (variables !== undefined && variables !== null) walkJson(ctx, variables, 'graphql.variables', 'graphql');
  if (typeof req.operationName === 'string' && req.operationName !== '' && !isPlainName(req.operationName)) {
    ctx.add('graphql.operationName', req.operationName, 'graphql', { name: 'operationName' });
  }
  if (typeof req.query !== 'string' || req.query === '') return;
  const query = req.query;
  summary.queryBytes += Buffer.byteLength(query);
  let doc: DocumentNode;
  try {
    doc = parse(query, { noLocation: true, maxTokens: MAX_TOKENS });
  } catch (err) {
    ctx.parseError('graphql.query', `GraphQL syntax: ${messageOf(err)}`);
    addText(ctx, 'graphql.query', query, 'graphql', 'query');
    return;
  }
  walkDocument(ctx, doc, summary);
}

function walkDocument(ctx: ParseContext, doc: DocumentNode, summary: GraphqlSummary): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const fragmentDepth = new Map<string, number>();
  const visiting = new Set<string>();

  /** Selection-set depth with fragment spreads expanded; a spread cycle counts as depth 0 (and is invalid anyway). */
  const depthOf = (set: SelectionSetNode | undefined, level: number): number => {
    if (!set || level > ctx.limits.maxDepth * 4) return 0;
    let deepest = 0;
    for (const sel of set.selections) {
      let d = 0;
      if (sel.kind === Kind.FIELD) d = sel.selectionSet ? depthOf(sel.selectionSet, level + 1) : 0;
      else if (sel.kind === Kind.INLINE_FRAGMENT) d = depthOf(sel.selectionSet, level + 1) - 1;
      else {
        const name = sel.name.value;
        const known = fragmentDepth.get(name);
        if (known !== undefined) d = known - 1;
        else if (!visiting.has(name) && fragments.has(name)) {
          visiting.add(name);
          const fd = depthOf((fragments.get(name) as FragmentDefinitionNode).selectionSet, level + 1);
          visiting.delete(name);
          fragmentDepth.set(name, fd);
          d = fd - 1;
        }
      }
      if (d > deepest) deepest = d;
    }
    return deepest + 1;
  };

  const directives = (list: readonly DirectiveNode[] | undefined): void => {
    if (!list) return;
    for (const dir of list) {
      summary.directives += 1;
      for (const arg of dir.arguments ?? []) addValue(ctx, arg.value, `graphql.directives.${dir.name.value}.${arg.name.value}`, arg.name.value, 0);
    }
  };

  const selections = (set: SelectionSetNode | undefined, level: number): void => {
    if (!set) return;
    if (level > ctx.limits.maxDepth) {
      ctx.event('depth_capped', `GraphQL selections nested deeper than ${ctx.limits.maxDepth}`, 'graphql');
      return;
    }
    for (const sel of set.selections) {
      if (ctx.stopped) return;
      directives(sel.directives);
      if (sel.kind === Kind.FIELD) {
        summary.fields += 1;
        if (sel.alias) summary.aliases += 1;
        const fname = sel.name.value;
        if (fname === '__schema' || fname === '__type') summary.introspection = true;
        for (const arg of sel.arguments ?? []) addValue(ctx, arg.value, `graphql.args.${fname}.${arg.name.value}`, arg.name.value, 0);
        selections(sel.selectionSet, level + 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        selections(sel.selectionSet, level + 1);
      }
    }
  };

  for (const def of doc.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      summary.operations += 1;
      directives(def.directives);
      for (const v of def.variableDefinitions ?? []) {
        directives(v.directives);
        if (v.defaultValue) addValue(ctx, v.defaultValue, `graphql.defaults.${v.variable.name.value}`, v.variable.name.value, 0);
      }
      selections(def.selectionSet, 1);
      const d = depthOf(def.selectionSet, 0);
      if (d > summary.maxDepth) summary.maxDepth = d;
    } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
      directives(def.directives);
      selections(def.selectionSet, 1);
    }
  }
}

/** String literals of an argument value (objects by key, lists by index); numbers, enums and variables carry no text. */
function addValue(ctx: ParseContext, value: ValueNode, path: string, name: string, depth: number): void {
  if (ctx.stopped) return;
  if (depth > ctx.limits.maxDepth) {
    ctx.event('depth_capped', `GraphQL argument value nested deeper than ${ctx.limits.maxDepth}`, path);
    return;
  }
  switch (value.kind) {
    case Kind.STRING:
      if (value.value !== '') ctx.add(path, value.value, 'graphql', { name });
      return;
    case Kind.LIST:
      value.values.forEach((v, i) => addValue(ctx, v, `${path}.${i}`, name, depth + 1));
      return;
    case Kind.OBJECT:
      for (const f of value.fields) addValue(ctx, f.value, `${path}.${f.name.value}`, f.name.value, depth + 1);
      return;
    default:
      return;
  }
}
