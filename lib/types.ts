/**
 * The detection library's contract: parsers turn a request into points, decoders give each
 * detector the view of a value it needs, detectors return detections, the inspector assembles
 * a verdict. Nothing here imports Kong or any other part of the project.
 */

export const ATTACK_TYPES = [
  'sqli',
  'xss',
  'cmdi',
  'path_traversal',
  'ssti',
  'nosqli',
  'ldapi',
  'xxe',
  'ssrf',
  'crlf',
  'log4shell',
  'shellshock',
  'open_redirect',
  'scanner',
] as const;

export type AttackType = (typeof ATTACK_TYPES)[number];

/** Where in the request a point was found. */
export type PointSource = 'method' | 'path' | 'query' | 'header' | 'cookie' | 'body' | 'graphql' | 'grpc';

/**
 * One inspectable value of a request. `path` names it for people and policies:
 * `path.2`, `query.q`, `header.user-agent`, `cookie.session`, `body.json.user.name`,
 * `body.form.comment`, `body.multipart.avatar.filename`, `body.xml.order.note`,
 * `graphql.variables.id`, `graphql.args.user.id`, `grpc.field.3.2`.
 * Encodings peeled on the way are appended in brackets, e.g. `query.token[base64].user`.
 */
export interface Point {
  path: string;
  /** The value after its container's own decoding (URL-decoding of query/form, JSON unescaping, ...). */
  value: string;
  source: PointSource;
  /** True when `value` is a name (query parameter name, JSON key, header name), not a value. */
  isKey: boolean;
  /** Lower-cased name of the parameter/header/field that holds the value, when there is one. */
  name?: string;
  /** Encodings peeled to reach this value, outermost first: 'base64', 'jwt', 'gzip', 'json', 'url', ... */
  encodings: readonly string[];
  /** The value was cut at the per-point cap (the inspected prefix is `value`). */
  truncated: boolean;
  /**
   * The value's character classes (features.ts CH.* bits), computed once when the parser makes the
   * point and shared by the peeler and every detector. Absent on hand-built points (computed on use).
   */
  chars?: number;
  /** Classes among white space, `_`, `,`, `0`, `x`, upper case (features.ts PC.* bits: may be present), with `chars`. */
  plainChars?: number;
}

/**
 * The encoding that marks a `<path>[joined]` point: every value of a repeated query/form parameter joined
 * with commas, as ASP.NET hands them to the application (parsers/query.ts).
 */
export const JOINED = 'joined';

/** Transformations a detector can ask for, applied in the order given. */
export type DecoderName =
  | 'url' //        multi-pass percent-decoding, %uXXXX, overlong UTF-8, '+' kept
  | 'html' //       HTML character references (named, decimal, hex; missing ';' tolerated as browsers do)
  | 'js' //         JS/JSON/CSS escapes: \xHH \uHHHH \u{H..} \OOO \n ...
  | 'nulls' //      drop NUL bytes and other C0 controls except \t\n\r
  | 'lower' //      lower-case
  | 'spaces' //     collapse runs of Unicode whitespace to one ASCII space
  | 'unicode' //    NFKC + fold fullwidth/compatibility forms to ASCII where they map
  | 'sql_comments' // remove /* ... */ comments (keeps MySQL /*! ... */ content)
  | 'base64'; //    decode if the whole value is plausible base64/base64url, else unchanged

export interface DetectorInput {
  readonly point: Point;
  /** `point.value` after the decoders in order; memoized per point, so detectors share the work. */
  decode(...chain: DecoderName[]): string;
  /**
   * Character classes present in `point.value` (bits `CH.*` of lib/features.ts), computed once per point
   * and shared, so a detector rejects a value without its trigger characters with one AND instead of a
   * scan of its own. Optional for hand-built inputs: read it through `charsOf(input)`.
   */
  readonly chars?: number;
  /** The point's PC.* classes (may be present); read it through `plainCharsOf(input)`. */
  readonly plainChars?: number;
}

export interface Detection {
  type: AttackType;
  /** 0..1; the route's threshold for this type decides whether it counts. */
  confidence: number;
  /** What matched, for people and tuning: a fingerprint or rule name, e.g. `sqli:fp:s&1c`, `xss:handler:onerror`. */
  detail: string;
  /** The decoded slice that matched, at most 200 characters. */
  excerpt: string;
}

export interface Detector {
  readonly type: AttackType;
  /** Point sources this detector inspects; all when absent. */
  readonly sources?: readonly PointSource[];
  /**
   * Character classes (features.ts `CH.*` bits) of which a value must hold at least one for detect() to
   * find anything; inspect() does not call the detector for other values. Absent: always called (the
   * detector has rules for values without punctuation, e.g. SQL words or a bare command).
   */
  readonly triggers?: number;
  detect(input: DetectorInput): Detection | null;
}

/** A request as the inspector receives it: raw pieces, headers with lower-cased names. */
export interface HttpRequest {
  method: string;
  /** Raw path without the query string, still percent-encoded. */
  path: string;
  /** Raw query string without '?', still percent-encoded. */
  query: string;
  headers: Readonly<Record<string, string | readonly string[]>>;
  body?: Uint8Array | null;
}

export interface Limits {
  /** Bytes of one value that are inspected; the rest is reported as truncated. */
  maxPointBytes: number;
  /** Bytes of the body that are parsed and inspected. */
  maxBodyBytes: number;
  /** Points inspected per request. */
  maxPoints: number;
  /** Nesting depth followed in JSON, XML, GraphQL selections and protobuf messages. */
  maxDepth: number;
  /** Nested encodings (base64 in JSON in base64 ...) peeled per value. */
  maxDecodeDepth: number;
  /** Wall-clock budget for one request's inspection, in milliseconds. */
  timeBudgetMs: number;
}

export type LimitKind =
  | 'body_truncated'
  | 'point_truncated'
  | 'points_capped'
  | 'depth_capped'
  | 'decode_depth_capped'
  | 'budget_exhausted'
  | 'parse_error';

/** Something the inspector could not fully look at; the policy decides whether it is reported or blocked. */
export interface LimitEvent {
  kind: LimitKind;
  point?: string;
  detail: string;
}

export interface Finding extends Detection {
  point: string;
  source: PointSource;
}

export interface GraphqlSummary {
  operations: number;
  /** Deepest selection-set nesting across operations (fragments expanded). */
  maxDepth: number;
  aliases: number;
  fields: number;
  directives: number;
  introspection: boolean;
  queryBytes: number;
  /** Requests in a batched (array) POST. */
  batchSize: number;
}

export interface ParseSummary {
  contentType: string;
  bodyKind: 'none' | 'json' | 'form' | 'multipart' | 'xml' | 'graphql' | 'grpc' | 'grpc-web' | 'text' | 'binary';
  graphql?: GraphqlSummary;
  errors: string[];
}

export interface DetectorSetting {
  enabled: boolean;
  /** Minimum confidence for a detection to count, 0..1. */
  threshold: number;
}

export interface InspectOptions {
  limits?: Partial<Limits>;
  detectors?: Partial<Record<AttackType, Partial<DetectorSetting>>>;
}

export interface Verdict {
  attack: boolean;
  /** Distinct attack types found, in ATTACK_TYPES order. */
  types: AttackType[];
  findings: Finding[];
  limits: LimitEvent[];
  parse: ParseSummary;
  stats: { points: number; bytes: number; durationUs: number };
}
