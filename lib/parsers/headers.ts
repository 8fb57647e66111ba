import { urlDecodeOnce } from '../decoders/url';
import type { Limits, Point } from '../types';
import { ValueCache } from '../value-cache';
import type { ParseContext } from './context';

/**
 * Headers whose values have a strict token syntax consumed by the proxy or browser plumbing (content
 * negotiation, caching, fetch metadata, client hints, tracing). Their usual values are lists of tokens,
 * quoted tokens and parameters, which tokenizers of other languages misread (`"Chromium";v="126"` looks
 * like SQL quoting). Such a header is inspected only when its value leaves that syntax, so a payload
 * placed there (`Accept: ${jndi:...}`) is still seen.
 */
const SYNTAX_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'accept-ranges', 'connection', 'content-length',
  'content-type', 'content-encoding', 'transfer-encoding', 'te', 'upgrade', 'keep-alive', 'cache-control', 'pragma',
  'priority', 'dnt', 'sec-gpc', 'upgrade-insecure-requests', 'downlink', 'rtt', 'ect', 'device-memory', 'viewport-width',
  'dpr', 'width', 'save-data', 'if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'if-range',
  'range', 'content-range', 'traceparent', 'tracestate', 'sentry-trace', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled',
  'x-request-id', 'x-correlation-id', 'date', 'expect', 'max-forwards', 'origin', 'host', 'x-requested-with',
  'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'content-language', 'access-control-request-method',
  'access-control-request-headers', 'x-content-type-options', 'purpose', 'sec-purpose', 'x-grpc-web', 'x-user-agent',
]);

function isSyntaxHeader(name: string): boolean {
  return SYNTAX_HEADERS.has(name) || name.startsWith('sec-fetch-') || name.startsWith('sec-ch-') || name.startsWith('x-sec-ch-');
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Outside quotes: tokens, separators and parameters. */
function tokenChar(c: number): boolean {
  // space \t , ; = . * / + - _ : ? ! ( ) # & [ ]
  return isAlnum(c) || c === 32 || c === 9 || c === 44 || c === 59 || c === 61 || c === 46 || c === 42 || c === 47 || c === 43 ||
    c === 45 || c === 95 || c === 58 || c === 63 || c === 33 || c === 40 || c === 41 || c === 35 || c === 38 || c === 91 || c === 93;
}

/** Inside quotes: brand names, versions, etags (base64 with trailing padding handled separately). */
function quotedChar(c: number): boolean {
  return isAlnum(c) || c === 32 || c === 46 || c === 45 || c === 95 || c === 47 || c === 59 || c === 58 || c === 35 || c === 43 || c === 40 || c === 41;
}

/** True when `value` stays inside the token/quoted-token grammar of a syntax header. */
export function isTokenSyntax(value: string): boolean {
  const n = value.length;
  let i = 0;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 34 /* " */) {
      // Quoted: brand names, versions, etags; '=' only right after base64-ish text (padding, etag parts).
      let j = i + 1;
      while (j < n) {
        const q = value.charCodeAt(j);
        if (quotedChar(q)) j += 1;
        else if (q === 61 && j > i + 1 && value.charCodeAt(j - 1) !== 34 && value.charCodeAt(j - 1) !== 32) j += 1;
        else break;
      }
      if (j >= n || value.charCodeAt(j) !== 34) return false;
      i = j + 1;
      continue;
    }
    if (!tokenChar(c)) return false;
    i += 1;
  }
  return true;
}

/** `name=value; name2=value2` as cookie points; values percent-decoded once and unquoted as frameworks do. */
export function parseCookies(ctx: ParseContext, header: string): void {
  for (const piece of header.split(';')) {
    if (ctx.stopped) return;
    const eq = piece.indexOf('=');
    const name = (eq < 0 ? '' : piece.slice(0, eq)).trim();
    let value = (eq < 0 ? piece : piece.slice(eq + 1)).trim();
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
    const path = `cookie.${name}`;
    if (name !== '' && !isCookieName(name)) ctx.add(path, name, 'cookie', { isKey: true, name });
    if (value !== '') ctx.add(path, urlDecodeOnce(value), 'cookie', { name });
  }
}

function isCookieName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlnum(c) || c === 95 || c === 45 || c === 46 || c === 36 /* $ of old-style $Version */)) return false;
  }
  return true;
}

/**
 * `Authorization: <scheme> <credentials>`: the credentials are the point (the nested-encoding peeler then
 * opens Basic's base64 `user:password` and a Bearer JWT's claims). A value that is not `token SP rest`
 * is inspected whole.
 */
function addAuthorization(ctx: ParseContext, name: string, value: string): void {
  const sp = value.indexOf(' ');
  const scheme = sp > 0 ? value.slice(0, sp) : '';
  if (scheme !== '' && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(scheme)) {
    const cred = value.slice(sp + 1).trim();
    if (cred !== '') ctx.add(`header.${name}`, cred, 'header', { name });
    return;
  }
  ctx.add(`header.${name}`, value, 'header', { name });
}

/**
 * The points one header value gave (its cookies, its peeled encodings), remembered per value and header
 * name. A client sends the same User-Agent, Accept-*, cookies and tokens on every request, and parsing
 * them again (cookie splitting, token-syntax checks, character classes, base64/JWT peeling) is most of
 * what a small request costs. Points are never changed after they are made, so a hit adds the same
 * objects. One cache per limits object (the limits decide capping and peeling depth); only parses that
 * raised no limit event and no error are remembered, so a hit gives exactly what parsing would, events
 * included. Bounded like inspect's detection cache (a ValueCache): HEADER_POINTS_ENTRIES values of at
 * most HEADER_POINTS_VALUE_CHARS, 8 header names per value, the oldest value leaving first.
 */
export const HEADER_POINTS_ENTRIES = 2048;
export const HEADER_POINTS_VALUE_CHARS = 1024;
type HeaderPoints = ValueCache<readonly Point[]>;
const headerPointCaches = new WeakMap<Readonly<Limits>, HeaderPoints>();

function headerPointsFor(limits: Readonly<Limits>): HeaderPoints {
  let cache = headerPointCaches.get(limits);
  if (cache === undefined) headerPointCaches.set(limits, (cache = new ValueCache(HEADER_POINTS_ENTRIES)));
  return cache;
}

function parseHeader(ctx: ParseContext, name: string, value: string): void {
  if (name === 'cookie') {
    parseCookies(ctx, value);
  } else if (name === 'authorization' || name === 'proxy-authorization') {
    addAuthorization(ctx, name, value);
  } else if (name === 'host' ? !HOST_SYNTAX.test(value) : !(isSyntaxHeader(name) && isTokenSyntax(value))) {
    ctx.add(`header.${name}`, value, 'header', { name });
  }
}

/**
 * `host[:port]`: a name, an IPv4 or a bracketed IPv6 address (a comma list is tolerated). A Host header
 * is echoed into links and password-reset mails and routes virtual hosts, so anything outside that
 * grammar (`evil.example/../../etc/passwd`, `a"><script>`) is inspected. Linear: no nested quantifiers.
 */
const HOST_SYNTAX = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:\s*,\s*(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?)*$/;

/**
 * Header points (`header.<name>`), cookie points (`cookie.<name>`); syntax-only headers skipped while
 * they stay syntax. With `remember`, header values are parsed once per limits object (see above).
 */
export function parseHeaders(ctx: ParseContext, headers: Readonly<Record<string, string | readonly string[]>>, remember = false): void {
  const cache = remember ? headerPointsFor(ctx.limits) : null;
  for (const rawName of Object.keys(headers)) {
    const raw = headers[rawName];
    const values: readonly string[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
    const name = rawName.toLowerCase();
    for (const value of values) {
      if (ctx.stopped) return;
      if (typeof value !== 'string' || value === '') continue;
      if (cache === null || value.length > HEADER_POINTS_VALUE_CHARS) {
        parseHeader(ctx, name, value);
        continue;
      }
      const made = cache.get(value, name);
      if (made !== undefined) {
        for (const p of made) if (!ctx.addMade(p)) return;
        continue;
      }
      const first = ctx.points.length;
      const events = ctx.events.length;
      const errors = ctx.errors.length;
      parseHeader(ctx, name, value);
      if (!ctx.stopped && ctx.events.length === events && ctx.errors.length === errors) cache.set(value, name, ctx.points.slice(first));
    }
  }
}
