/**
 * `kong.response.exit` / `kong.response.error` (kong/pdk/response.lua) and Kong's error templates
 * (kong/tools/http.lua: get_error_template). Both are validated like Kong (bad arguments raise a Lua
 * error) and turned into an ExitResponse the proxy sends.
 */
import type { ExitResponse, RequestContext } from './context';
import { HeaderBag } from './headers';
import { LuaError } from './values';

const HTTP_ERROR_MESSAGES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 402: 'Payment required', 403: 'Forbidden', 404: 'Not found',
  405: 'Method not allowed', 406: 'Not acceptable', 407: 'Proxy authentication required', 408: 'Request timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length required', 412: 'Precondition failed', 413: 'Payload too large',
  414: 'URI too long', 415: 'Unsupported media type', 416: 'Range not satisfiable', 417: 'Expectation failed',
  418: "I'm a teapot", 421: 'Misdirected request', 422: 'Unprocessable entity', 423: 'Locked', 424: 'Failed dependency',
  425: 'Too early', 426: 'Upgrade required', 428: 'Precondition required', 429: 'Too many requests',
  431: 'Request header fields too large', 451: 'Unavailable for legal reasons', 494: 'Request header or cookie too large',
  500: 'An unexpected error occurred', 501: 'Not implemented', 502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable', 504: 'The upstream server is timing out', 505: 'HTTP version not supported',
  506: 'Variant also negotiates', 507: 'Insufficient storage', 508: 'Loop detected', 510: 'Not extended',
  511: 'Network authentication required',
};

export function httpErrorMessage(status: number): string {
  return HTTP_ERROR_MESSAGES[status] ?? `The upstream server responded with ${status}`;
}

const JSON_CT = 'application/json; charset=utf-8';

function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Picks Kong's error template from the Accept header (JSON unless html/xml/plain is preferred). */
export function errorBody(accept: string | undefined, message: string, requestId: string): { body: string; contentType: string } {
  const a = (accept ?? '').toLowerCase();
  const candidates = a.split(',').map((p) => p.split(';')[0].trim());
  for (const type of candidates) {
    if (type === 'application/json' || type === '*/*' || type === '') break;
    if (type === 'text/html') {
      return {
        body: `<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>${message}.</p>\n    <p>request_id: ${requestId}</p>\n  </body>\n</html>\n`,
        contentType: 'text/html; charset=utf-8',
      };
    }
    if (type === 'application/xml' || type === 'text/xml') {
      return {
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>${message}</message>\n  <requestid>${requestId}</requestid>\n</error>\n`,
        contentType: 'application/xml; charset=utf-8',
      };
    }
    if (type === 'text/plain') return { body: `${message}\nrequest_id: ${requestId}\n`, contentType: 'text/plain; charset=utf-8' };
  }
  return { body: `{\n  "message":"${jsonEscape(message)}",\n  "request_id":"${requestId}"\n}`, contentType: JSON_CT };
}

function headersArg(v: unknown): HeaderBag {
  const bag = new HeaderBag();
  if (v === undefined || v === null) return bag;
  if (typeof v !== 'object' || Array.isArray(v)) throw new LuaError('headers must be a nil or table');
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(val)) for (const one of val) bag.add(k, String(one));
    else if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') bag.set(k, String(val));
    else throw new LuaError(`invalid header value for "${k}"`);
  }
  return bag;
}

const EXIT_PHASES = new Set(['rewrite', 'access', 'response']);

/** `kong.response.exit(status, body?, headers?)`. */
export function buildExit(ctx: RequestContext, args: unknown[], plugin: string): ExitResponse {
  if (!EXIT_PHASES.has(ctx.phase)) throw new LuaError(`function cannot be called in ${ctx.phase} phase`);
  const [status, body, headers] = args;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new LuaError('code must be a number');
  if (status < 100 || status > 599) throw new LuaError('code must be a number between 100 and 599');
  const bag = headersArg(headers);
  let bytes: Buffer;
  if (body === undefined || body === null) bytes = Buffer.alloc(0);
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) bytes = Buffer.from(body);
  else if (typeof body === 'object') {
    bytes = Buffer.from(JSON.stringify(body));
    if (!bag.has('content-type')) bag.set('Content-Type', JSON_CT);
  } else throw new LuaError('body must be a nil, string or table');
  return { status, body: bytes, headers: bag, kind: 'exit', plugin };
}

/** `kong.response.error(status, message?, headers?)`. */
export function buildError(ctx: RequestContext, args: unknown[], plugin: string): ExitResponse {
  if (!EXIT_PHASES.has(ctx.phase)) throw new LuaError(`function cannot be called in ${ctx.phase} phase`);
  const [status, message, headers] = args;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw new LuaError('code must be a number between 400 and 599');
  }
  const bag = headersArg(headers);
  const text = typeof message === 'string' ? message : httpErrorMessage(status);
  const { body, contentType } = errorBody(ctx.headers.first('accept'), text, ctx.requestId);
  bag.set('Content-Type', contentType);
  return { status, body: Buffer.from(body), headers: bag, kind: 'error', plugin };
}

/** The response Kong produces itself (404 no route, 500 plugin failure, 502/503/504). */
export function kongErrorResponse(ctx: RequestContext, status: number, message = httpErrorMessage(status)): ExitResponse {
  const { body, contentType } = errorBody(ctx.headers.first('accept'), message, ctx.requestId);
  const headers = new HeaderBag();
  headers.set('Content-Type', contentType);
  return { status, body: Buffer.from(body), headers, kind: 'error', plugin: 'kong' };
}
