import type { AttackType, HttpRequest } from '../../lib/types';

/** Where the eval puts a payload in an otherwise ordinary API request. */
export const PLACEMENTS = [
  'query', 'path', 'header', 'cookie', 'json', 'form', 'multipart', 'filename', 'xml', 'gql_arg', 'gql_var', 'grpc', 'xml_body',
] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** How the payload is encoded in what the application receives (after the container's own decoding). */
export const ENCODINGS = ['plain', 'url', 'double_url', 'base64', 'js_unicode', 'html'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * Placements that make sense per type: a scanner is recognized by its User-Agent; XXE also as the whole
 * XML body. An open redirect needs an application that sends the browser to the value, which it does
 * with parameters, path segments, bodies and cookies (a saved return URL) but not with an arbitrary
 * custom request header (`X-Search-Context`) or an upload's file name: a redirect target there is not an
 * attack on anything, so the detector does not look at headers and the eval does not count those
 * placements. Its payloads also go into redirect-named fields (`next`, `returnUrl`, see fieldFor): a
 * bare `https://evil.example` in a comment or a search box redirects nobody.
 */
export function placementsFor(type: AttackType): Placement[] {
  if (type === 'scanner') return ['header'];
  if (type === 'open_redirect') return PLACEMENTS.filter((p) => p !== 'header' && p !== 'filename' && p !== 'xml_body');
  return PLACEMENTS.filter((p) => p !== 'xml_body' || type === 'xxe');
}

/**
 * Encodings a payload is also sent in. Every type gets every encoding: an application that URL-decodes
 * twice, base64-decodes a field, unescapes JavaScript (a second JSON parse, a template) or decodes HTML
 * references (XML, HTML sanitizer round trips) turns any of them back into the attack, and attack tools
 * send every payload through all of them. Scanner fingerprints are headers as sent: plain only.
 */
export function encodingsFor(type: AttackType): Encoding[] {
  if (type === 'scanner') return ['plain'];
  return ['plain', 'url', 'double_url', 'base64', 'js_unicode', 'html'];
}

export function encodePayload(payload: string, enc: Encoding): string {
  switch (enc) {
    case 'plain':
      return payload;
    case 'url':
      return encodeURIComponentLenient(payload);
    case 'double_url':
      return encodeURIComponentLenient(encodeURIComponentLenient(payload));
    case 'base64':
      return Buffer.from(payload, 'utf8').toString('base64');
    case 'js_unicode':
      return payload.replace(/[^A-Za-z0-9 ]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    case 'html':
      return payload.replace(/[():;'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  }
}

/** encodeURIComponent that never throws on lone surrogates (payload lists contain broken text). */
export function encodeURIComponentLenient(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** Header/cookie-safe form: control characters and non-Latin-1 are percent-encoded, as a client must. */
function headerSafe(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]|[^\x00-\xff]/g, (c) => encodeURIComponentLenient(c));
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export function pbString(field: number, value: Buffer | string): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint(field * 8 + 2), varint(b.length), b]);
}

export function grpcFrame(message: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(message.length, 1);
  return Buffer.concat([h, message]);
}

export const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

function base(method: string, path: string, query = '', extra: Record<string, string> = {}): HttpRequest {
  return {
    method,
    path,
    query,
    headers: {
      host: 'api.example.com',
      'user-agent': BROWSER_UA,
      accept: 'application/json, text/plain, */*',
      'accept-language': 'en-US,en;q=0.9',
      cookie: 'session=6f1e2d3c4b5a69788796a5b4c3d2e1f0; theme=dark',
      ...extra,
    },
    body: null,
  };
}

function withBody(r: HttpRequest, contentType: string, body: Buffer | string): HttpRequest {
  return { ...r, headers: { ...r.headers, 'content-type': contentType }, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

/** The field that carries the payload: the placement's ordinary field, or a redirect-named one for open redirects. */
function fieldFor(type: AttackType, ordinary: string, redirect: string): string {
  return type === 'open_redirect' ? redirect : ordinary;
}

/** An ordinary API request carrying `value` (already encoded for the application) at `placement`. */
export function placeValue(value: string, placement: Placement, type: AttackType): HttpRequest {
  switch (placement) {
    case 'query':
      return base('GET', '/api/v1/search', `${fieldFor(type, 'q', 'next')}=${encodeURIComponentLenient(value)}&page=2&sort=relevance`);
    case 'path':
      return base('GET', `/api/v1/files/${encodeURIComponentLenient(value)}/download`);
    case 'header':
      if (type === 'scanner') return { ...base('GET', '/api/v1/status'), headers: { ...base('GET', '/').headers, 'user-agent': headerSafe(value) } };
      return base('GET', '/api/v1/profile', '', { 'x-search-context': headerSafe(value) });
    case 'cookie':
      return base('GET', '/api/v1/cart', '', { cookie: `session=6f1e2d3c4b5a69788796a5b4c3d2e1f0; ${fieldFor(type, 'prefs', 'return_to')}=${encodeURIComponentLenient(value)}` });
    case 'json':
      return withBody(base('POST', '/api/v1/orders'), 'application/json',
        JSON.stringify({ customer: { id: 1842, name: 'Dana Smith' }, items: [{ sku: 'AB-1', qty: 2, options: { [fieldFor(type, 'engraving', 'returnUrl')]: value } }], currency: 'EUR' }));
    case 'form':
      return withBody(base('POST', '/account/update'), 'application/x-www-form-urlencoded',
        `display_name=Dana&${fieldFor(type, 'bio', 'redirect_uri')}=${encodeURIComponentLenient(value).replace(/%20/g, '+')}&newsletter=on`);
    case 'multipart':
    case 'filename': {
      const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
      const file = placement === 'filename'
        ? `Content-Disposition: form-data; name="attachment"; filename="${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"\r\nContent-Type: text/plain\r\n\r\nquarterly numbers attached`
        : 'Content-Disposition: form-data; name="attachment"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\nquarterly numbers attached';
      const comment = placement === 'multipart' ? value : 'see attachment';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nReport\r\n--${boundary}\r\nContent-Disposition: form-data; name="${fieldFor(type, 'comment', 'continue')}"\r\n\r\n${comment}\r\n--${boundary}\r\n${file}\r\n--${boundary}--\r\n`;
      return withBody(base('POST', '/api/v1/uploads'), `multipart/form-data; boundary=${boundary}`, body);
    }
    case 'xml':
      return withBody(base('POST', '/soap/orders'), 'text/xml; charset=utf-8',
        `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><PlaceOrder><id>42</id><${fieldFor(type, 'note', 'ReturnUrl')}>${xmlEscape(value)}</${fieldFor(type, 'note', 'ReturnUrl')}></PlaceOrder></soap:Body></soap:Envelope>`);
    case 'xml_body':
      return withBody(base('POST', '/api/v1/import'), 'application/xml', value);
    case 'gql_arg':
      return withBody(base('POST', '/graphql'), 'application/json',
        JSON.stringify({ query: `query Search { search(${fieldFor(type, 'text', 'redirectTo')}: ${JSON.stringify(value)}, first: 10) { id title } }`, operationName: 'Search' }));
    case 'gql_var':
      return withBody(base('POST', '/graphql'), 'application/json',
        JSON.stringify({ query: `query Search($${fieldFor(type, 'text', 'redirectTo')}: String!) { search(text: $${fieldFor(type, 'text', 'redirectTo')}, first: 10) { id title } }`, variables: { [fieldFor(type, 'text', 'redirectTo')]: value }, operationName: 'Search' }));
    case 'grpc': {
      const msg = Buffer.concat([pbString(1, 'catalog'), pbString(2, Buffer.concat([pbString(1, 'ordinary'), pbString(3, value)]))]);
      return withBody(base('POST', '/shop.v1.Catalog/Search', '', { te: 'trailers' }), 'application/grpc', grpcFrame(msg));
    }
  }
}
