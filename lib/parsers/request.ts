import type { HttpRequest, Limits, ParseSummary, Point, LimitEvent } from '../types';
import { parseBody } from './body';
import { messageOf, ParseContext } from './context';
import { parseGraphql } from './body';
import { looksLikeGraphql } from './graphql';
import { parseHeaders } from './headers';
import { peelNested } from './nested';
import { parsePath } from './path';
import type { GrpcSchema } from './proto-schema';
import { addQueryPoints, splitQuery } from './query';

export interface ParsedRequest {
  points: Point[];
  limits: LimitEvent[];
  parse: ParseSummary;
  bytes: number;
  /** Parsing ran out of points or time; the inspector stops too. */
  stopped: boolean;
}

export interface ParseRequestOptions {
  grpcSchema?: GrpcSchema | null;
  startedAt?: number;
  /** Reuse the points of header values parsed before with the same limits (see parseHeaders). */
  rememberHeaders?: boolean;
}

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const GRAPHQL_PARAMS = new Set(['query', 'variables', 'operationName', 'extensions']);

function contentTypeOf(req: HttpRequest): string {
  const v = req.headers['content-type'];
  const s = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
  return s;
}

/**
 * Request → points. Order: method (only a non-standard one), path, query (or GraphQL GET parameters),
 * headers and cookies, body. Each parser step is isolated: an exception in one becomes a parse_error
 * event and the others still run.
 */
export function parseRequest(req: HttpRequest, limits: Readonly<Limits>, opts: ParseRequestOptions = {}): ParsedRequest {
  const ctx = new ParseContext(limits, opts.startedAt);
  ctx.peeler = peelNested;
  const summary: ParseSummary = { contentType: contentTypeOf(req), bodyKind: 'none', errors: ctx.errors };
  const step = (where: string, fn: () => void): void => {
    if (ctx.stopped) return;
    try {
      fn();
    } catch (err) {
      ctx.parseError(where, `parser failed: ${messageOf(err)}`);
    }
  };
  const rawPath = typeof req.path === 'string' ? req.path : '';
  const rawQuery = typeof req.query === 'string' ? req.query : '';
  const graphqlPath = rawPath.toLowerCase().includes('graphql');
  step('method', () => {
    const m = typeof req.method === 'string' ? req.method : '';
    if (!STANDARD_METHODS.has(m)) ctx.add('method', m, 'method', { name: 'method' });
  });
  step('path', () => parsePath(ctx, rawPath));
  step('query', () => {
    const pairs = rawQuery.indexOf('query=') >= 0 ? splitQuery(rawQuery) : [];
    const q = pairs.find((p) => p.name === 'query');
    if (q && (graphqlPath || looksLikeGraphql(q.value))) {
      const get = (n: string): string | undefined => pairs.find((p) => p.name === n)?.value;
      summary.graphql = parseGraphql(ctx, [{ query: q.value, variables: get('variables'), operationName: get('operationName') }]);
      addQueryPoints(ctx, rawQuery, 'query', 'query', undefined, (name) => GRAPHQL_PARAMS.has(name));
    } else {
      addQueryPoints(ctx, rawQuery, 'query', 'query');
    }
  });
  step('headers', () => parseHeaders(ctx, req.headers ?? {}, opts.rememberHeaders === true));
  step('body', () => parseBody(ctx, req, { grpcSchema: opts.grpcSchema, graphqlPath }, summary));
  return { points: ctx.points, limits: ctx.events, parse: summary, bytes: ctx.bytes, stopped: ctx.stopped };
}

export { ParseContext };
