import type { GraphqlSummary, HttpRequest, ParseSummary } from '../types';
import { bytesToText, looksTextual } from './bytes';
import { textInCharset } from './charset';
import { decompress } from './compression';
import { messageOf, type ParseContext } from './context';
import { emptyGraphqlSummary, looksLikeGraphql, parseGraphqlRequest, type GraphqlRequest } from './graphql';
import { parseGrpc } from './grpc';
import { parseJsonText, walkJson } from './json';
import { addScannedJson, scanJson } from './json-scan';
import { parseMultipart, parseMediaType } from './multipart';
import type { GrpcSchema } from './proto-schema';
import { addProtobufPoints } from './protobuf';
import { addQueryPoints } from './query';
import { addText } from './text';
import { parseXml } from './xml';

export interface BodyOptions {
  grpcSchema?: GrpcSchema | null;
  /** The request path looks like a GraphQL endpoint (contains "graphql"). */
  graphqlPath: boolean;
}

function headerValue(req: HttpRequest, name: string): string {
  const v = req.headers[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

type Kind = ParseSummary['bodyKind'];

function kindOf(type: string): Kind | null {
  if (type === 'application/grpc' || type.startsWith('application/grpc+')) return 'grpc';
  if (type.startsWith('application/grpc-web')) return 'grpc-web';
  if (type === 'application/graphql') return 'graphql';
  if (type === 'application/json' || type.endsWith('+json') || type === 'text/json' || type === 'application/x-ndjson' ||
    type === 'application/csp-report' || type === 'application/jsonl') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('multipart/')) return 'multipart';
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type.startsWith('text/') || type === 'application/javascript') return 'text';
  if (type === 'application/x-protobuf' || type === 'application/x-protobuffer' || type === 'application/protobuf') return 'binary';
  return null;
}

/** No (or an unknown) content type: guess from the first bytes, as lenient frameworks do. */
function sniff(text: string): Kind {
  const t = text.trimStart();
  const c = t.charCodeAt(0);
  if (c === 123 || c === 91) return 'json';
  if (c === 60) return 'xml';
  if (/^[^\s=&]+=[^\s]*$/.test(t.length > 4096 ? t.slice(0, 4096) : t)) return 'form';
  return 'text';
}

/** JSON text that is a GraphQL request (object with a `query` string, or a batch array of them). */
function graphqlRequests(value: unknown, opts: BodyOptions): GraphqlRequest[] | null {
  const isOp = (v: unknown): v is GraphqlRequest =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as GraphqlRequest).query === 'string' &&
    (opts.graphqlPath || looksLikeGraphql((v as { query: string }).query));
  if (isOp(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every(isOp)) return value;
  return null;
}

/**
 * Parses the body into points and returns the body kind and, for GraphQL, the summary. Bodies larger
 * than maxBodyBytes are cut (reported); Content-Encoding gzip/deflate/br is decompressed with the same cap.
 */
export function parseBody(ctx: ParseContext, req: HttpRequest, opts: BodyOptions, summary: ParseSummary): void {
  let body = req.body;
  if (!body || body.length === 0) return;
  const cap = ctx.limits.maxBodyBytes;
  if (body.length > cap) {
    ctx.event('body_truncated', `body of ${body.length} bytes, inspected the first ${cap}`, 'body');
    body = body.subarray(0, cap);
  }
  const media = parseMediaType(summary.contentType);
  let kind = kindOf(media.type);
  const isGrpc = kind === 'grpc' || kind === 'grpc-web';
  const contentEncoding = headerValue(req, 'content-encoding').toLowerCase();
  if (!isGrpc && contentEncoding !== '' && contentEncoding !== 'identity') {
    // Codings are listed in the order they were applied.
    const codings = contentEncoding.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'identity').reverse();
    for (const coding of codings) {
      try {
        const d = decompress(body, coding, cap);
        if (d.truncated) ctx.event('body_truncated', `${coding} body inflates past ${cap} bytes; inspected the first ${d.bytes.length}`, 'body');
        body = d.bytes;
      } catch (err) {
        ctx.parseError('body', `Content-Encoding ${coding}: ${messageOf(err)}`);
        summary.bodyKind = 'binary';
        return;
      }
    }
  }
  if (isGrpc) {
    summary.bodyKind = kind as Kind;
    parseGrpc(ctx, body, {
      text: media.type.startsWith('application/grpc-web-text'),
      json: media.type.endsWith('+json'),
      encoding: headerValue(req, 'grpc-encoding'),
    }, req.path, opts.grpcSchema ?? null);
    return;
  }
  if (kind === 'binary') {
    summary.bodyKind = 'binary';
    if (looksTextual(body)) addText(ctx, 'body.text', bytesToText(body), 'body');
    else addProtobufPoints(ctx, body, 'body.protobuf', null, 0, 'body');
    return;
  }
  // multipart parts carry their own charsets (parsePart reads each)
  const transcoded = kind === 'multipart' ? undefined : textInCharset(ctx, body, media.params.charset, 'body');
  if (kind === null && transcoded === undefined && !looksTextual(body)) {
    summary.bodyKind = 'binary';
    return;
  }
  const text = transcoded ?? bytesToText(body);
  if (kind === null) kind = sniff(text);
  summary.bodyKind = kind;
  parseTextBody(ctx, kind, text, body, media, opts, summary);
}

/** A JSON document's strings as body points; malformed text gets parse_error and is inspected raw. */
function addJsonText(ctx: ParseContext, text: string, prefix: string): void {
  const scan = scanJson(text, prefix, ctx.limits.maxDepth);
  if (scan !== null) {
    addScannedJson(ctx, scan, 'body');
    return;
  }
  const value = parseJsonText(ctx, text, prefix, 'body');
  if (value !== undefined) walkJson(ctx, value, prefix, 'body');
}

function parseTextBody(
  ctx: ParseContext,
  kind: Kind,
  text: string,
  body: Uint8Array,
  media: ReturnType<typeof parseMediaType>,
  opts: BodyOptions,
  summary: ParseSummary,
): void {
  switch (kind) {
    case 'json': {
      const trimmed = text.trim();
      if (trimmed === '') return;
      if (media.type === 'application/x-ndjson' || media.type === 'application/jsonl') {
        trimmed.split('\n').forEach((line, i) => {
          if (line.trim() !== '') addJsonText(ctx, line, `body.json.${i}`);
        });
        return;
      }
      // a `query` member makes the document a GraphQL candidate, parsed below: the scan stops there
      const scan = scanJson(trimmed, 'body.json', ctx.limits.maxDepth, undefined, true);
      if (scan !== null && !scan.queryKey) {
        addScannedJson(ctx, scan, 'body');
        return;
      }
      // malformed (JSON.parse words the parse_error) or maybe a GraphQL request: the object decides
      const value = parseJsonText(ctx, trimmed, 'body.json', 'body');
      if (value === undefined) return;
      const ops = graphqlRequests(value, opts);
      if (ops) {
        summary.bodyKind = 'graphql';
        summary.graphql = parseGraphql(ctx, ops);
        return;
      }
      walkJson(ctx, value, 'body.json', 'body');
      return;
    }
    case 'graphql':
      summary.graphql = parseGraphql(ctx, [{ query: text }]);
      return;
    case 'form':
      addQueryPoints(ctx, text, 'body.form', 'body');
      return;
    case 'multipart':
      parseMultipart(ctx, body, media, (c, prefix, type, content, _name, transcoded) => {
        const k = kindOf(type);
        const t = transcoded ?? bytesToText(content);
        if (k === 'json') addJsonText(c, t.trim(), prefix); else if (k === 'xml') parseXml(c, t, prefix);
        else addText(c, prefix, t, 'body', prefix.slice(prefix.lastIndexOf('.') + 1));
      });
      return;
    case 'xml':
      parseXml(ctx, text);
      return;
    default:
      addText(ctx, 'body.text', text, 'body');
  }
}

export function parseGraphql(ctx: ParseContext, ops: GraphqlRequest[]): GraphqlSummary {
  const s = emptyGraphqlSummary();
  for (const op of ops) {
    if (ctx.stopped) break;
    parseGraphqlRequest(ctx, op, s);
  }
  return s;
}
