/**
 * CRLF / header injection and response splitting: a line break (raw, percent-encoded, `\r\n` escaped,
 * or the UTF-8 "low byte" trick `%E5%98%8A` = U+560A that naive Latin-1 writers truncate to LF)
 * followed by something a header parser would take as a header line (`Set-Cookie: …`, `Location: …`,
 * any `Name: value`) or a second response (`HTTP/1.1 200`, a blank line and a body).
 *
 * Where it matters: values echoed into response headers come from the query, path, headers and
 * cookies. Multi-line text is normal in form/JSON bodies, so there only a known response header or a
 * status line counts, and lower.
 */
import { CH, charsOf } from '../../features';
import { urlDecode } from '../../decoders/url';
import type { Detection, Detector, DetectorInput } from '../../types';

/** Response headers an attacker injects to set cookies, redirect, or take over the body. */
const RESPONSE_HEADERS = new Set([
  'set-cookie', 'set-cookie2', 'location', 'refresh', 'content-type', 'content-length', 'content-disposition',
  'content-security-policy', 'content-encoding', 'transfer-encoding', 'access-control-allow-origin',
  'access-control-allow-credentials', 'x-xss-protection', 'x-frame-options', 'cache-control', 'link', 'host',
  'cookie', 'connection', 'x-forwarded-for', 'x-forwarded-host', 'authorization', 'referer', 'pragma', 'expires',
  'last-modified', 'etag', 'vary', 'server', 'x-content-type-options', 'strict-transport-security', 'upgrade',
  'proxy-authorization', 'x-original-url', 'x-rewrite-url', 'x-injected', 'x-powered-by',
]);

interface Match {
  rule: string;
  confidence: number;
  at: number;
}

/**
 * How a line break reached the value, which decides what it means:
 * - `header`: a value that servers echo into response headers (query, path, headers, cookies);
 * - `body-literal`: a real newline in body text (form, JSON, XML, GraphQL, gRPC): prose and multipart
 *   have those, so only a known response header or a status line is a (weak) hint;
 * - `body-encoded`: a break the body's own container did NOT decode (`%0d%0a`, `%E5%98%8A`, U+560A) in
 *   a body value: text typed by a person never holds an encoded newline before `Set-Cookie:`; the value
 *   was built for a later percent-decoding into a redirect URL, cookie or header — an injection.
 */
type BreakMode = 'header' | 'body-literal' | 'body-encoded';

function isLineBreak(c: number): boolean {
  // CR, LF, and code points whose low byte is CR/LF (U+560A 嘊, U+560D 嘍, …) that a Latin-1 writer
  // truncates to CR/LF. Latin letters (U+0100–U+024F: č, Ċ) are left out: they are everyday European
  // text (`Počet: 5`), and the trick is spelled with CJK code points.
  return c === 10 || c === 13 || (c > 0x24f && ((c & 0xff) === 10 || (c & 0xff) === 13));
}

function isTokenChar(c: number): boolean {
  // RFC 9110 token characters (header field names).
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 33 || c === 35 || c === 36 || c === 37 || c === 38 || c === 39 || c === 42 || c === 43 || c === 46 || c === 94 || c === 96 || c === 124 || c === 126;
}

/**
 * SMTP and IMAP commands: a value that webmail or a contact form passes to a mail server (a mailbox
 * name, a message id, a recipient) and that carries a line break followed by one of these smuggles a
 * command of the attacker's into the session (OWASP: IMAP/SMTP injection). SMTP verbs with their
 * argument syntax (`RCPT TO:<…>`), or an IMAP tag followed by an IMAP command word (`A02 FETCH …`).
 */
const SMTP_COMMAND = /^(?:(?:MAIL\s+FROM|RCPT\s+TO)\s*:\s*<?[^\s>]*@|(?:HELO|EHLO)\s+[\w.-]+\s*$|(?:DATA|QUIT|RSET|NOOP|STARTTLS)\s*$|(?:VRFY|EXPN)\s+\S|AUTH\s+(?:LOGIN|PLAIN|CRAM-MD5|XOAUTH2)\b)/i;
const IMAP_COMMAND = /^[A-Za-z0-9]{1,8}\s+(?:CAPABILITY|LOGIN|LOGOUT|SELECT|EXAMINE|CREATE|DELETE|RENAME|SUBSCRIBE|UNSUBSCRIBE|LIST|LSUB|STATUS|APPEND|CHECK|CLOSE|EXPUNGE|SEARCH|FETCH|STORE|COPY|MOVE|UID|NOOP|AUTHENTICATE|IDLE|STARTTLS)\b/;

function mailCommand(line: string): string | null {
  if (SMTP_COMMAND.test(line)) return 'smtp';
  // IMAP command words are upper-case by convention; prose (`I think LIST is…`) has a word, not a tag
  const m = IMAP_COMMAND.exec(line);
  if (m !== null && /\d/.test(line.slice(0, line.search(/\s/)))) return 'imap';
  return null;
}

/** Confidence per rule and mode: [header, body-literal, body-encoded]. */
const WEIGHTS: Readonly<Record<string, readonly [number, number, number]>> = {
  mail: [0.85, 0.6, 0.85],
  'response-splitting': [0.95, 0.6, 0.95],
  'body-injection': [0.9, 0.45, 0.9],
  known: [0.93, 0.45, 0.9],
  custom: [0.8, 0, 0.75],
  'header-like': [0.6, 0, 0.4],
};

function weight(rule: string, mode: BreakMode): number {
  const w = WEIGHTS[rule];
  return mode === 'header' ? w[0] : mode === 'body-literal' ? w[1] : w[2];
}

/** Looks at the text after a line break; returns what kind of injected line it is. */
function injectedLine(s: string, from: number, mode: BreakMode): Match | null {
  let i = from;
  let breaks = 0;
  while (i < s.length && isLineBreak(s.charCodeAt(i))) {
    breaks += 1;
    i += 1;
  }
  // Obsolete line folding / leading spaces are tolerated by some parsers.
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i += 1;
  const rest = s.slice(i, i + 64);
  if (/^HTTP\/\d(\.\d)?\s+\d{3}/i.test(rest)) return { rule: 'crlf:response-splitting', confidence: weight('response-splitting', mode), at: from };
  const mail = mailCommand(rest.split(/[\r\n]/, 1)[0]);
  if (mail !== null) return { rule: `crlf:mail:${mail}`, confidence: weight('mail', mode), at: from };
  const st = i;
  while (i < s.length && i - st < 64 && isTokenChar(s.charCodeAt(i))) i += 1;
  const name = s.slice(st, i).toLowerCase();
  if (name.length === 0) {
    // A blank line then markup: the injected body of a split response.
    if (breaks >= 2 && /^<(html|script|svg|body|img|iframe)/i.test(rest)) return { rule: 'crlf:body-injection', confidence: weight('body-injection', mode), at: from };
    return null;
  }
  let j = i;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j += 1;
  if (s[j] !== ':') return null;
  const known = RESPONSE_HEADERS.has(name);
  // Multipart parts and batch requests legitimately carry header lines in bodies: a hint only.
  if (mode === 'body-literal') return known && name !== 'host' && name !== 'link' ? { rule: `crlf:header:${name}`, confidence: weight('known', mode), at: from } : null;
  if (known) return { rule: `crlf:header:${name}`, confidence: weight('known', mode), at: from };
  // `X-Anything: value` is header-shaped; a capitalised `Word: text` line is likelier prose.
  if (name.startsWith('x-') || name.includes('-')) return { rule: 'crlf:header:custom', confidence: weight('custom', mode), at: from };
  return { rule: 'crlf:header-like', confidence: weight('header-like', mode), at: from };
}

/**
 * Header values whose shape is unmistakable, for the headers response splitting is after: a cookie
 * `name=value`, a redirect target, a media type, a length or refresh delay, a transfer coding, a CORS
 * origin. Prose after `Location:` ("Room 5") does not have these shapes.
 */
/** An address as a mail header carries it: `local@domain`. */
const MAILBOX = /^[^\s@]{1,64}@[^\s@]{1,255}/;

const SPLIT_TARGETS: Readonly<Record<string, RegExp>> = {
  'set-cookie': /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}=[^\s;]*/,
  location: /^(?:[a-z][a-z0-9+.-]{1,15}:|\/|\\)/i,
  refresh: /^\d{1,5}\s*(?:[;,]|$)/,
  'content-type': /^[a-z]{1,16}\/[a-z0-9.+-]{1,64}\s*(?:;|$)/i,
  'content-length': /^\d{1,12}\s*$/,
  'transfer-encoding': /^(?:chunked|gzip|deflate|compress|identity)\b/i,
  'access-control-allow-origin': /^(?:\*|null|https?:\/\/)/i,
  'access-control-allow-credentials': /^true\b/i,
  'content-security-policy': /^[a-z-]{3,32}-src\b/i,
  'x-xss-protection': /^[01]\b/,
  // mail header injection through a contact form's single-line field
  bcc: MAILBOX,
  cc: MAILBOX,
  to: MAILBOX,
  'reply-to': MAILBOX,
};

/** At most this many characters before the first break for a body value to count as one token. */
const TOKEN_PREFIX_MAX = 256;

/**
 * A literal break in a body value is text structure, except when the value is one token followed by
 * a header line: nothing before the first break is white space (`/`, `en-US`, a URL, a file name, or
 * nothing at all) and the line after it sets a response header with that header's own value shape
 * (`Set-Cookie: sid=x`, `Location: //evil`) or is a status line. A field holding that is a redirect
 * target, locale or file name someone split for a response header: prose and pasted mails start with
 * words.
 */
function tokenSplit(s: string): Match | null {
  let first = -1;
  for (let i = 0; i < s.length && i <= TOKEN_PREFIX_MAX; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) {
      first = i;
      break;
    }
    if (c === 32 || c === 9 || c === 0x3000 || c === 0xa0) return null;
  }
  if (first < 0) return null;
  let i = first;
  while (i < s.length && (s.charCodeAt(i) === 10 || s.charCodeAt(i) === 13)) i += 1;
  const line = s.slice(i, s.indexOf('\n', i) < 0 ? i + 200 : Math.min(s.indexOf('\n', i), i + 200)).replace(/\r$/, '');
  if (/^HTTP\/\d(\.\d)?\s+\d{3}\b/i.test(line)) return { rule: 'crlf:token-split:status', confidence: 0.8, at: first };
  const colon = line.indexOf(':');
  if (colon <= 0 || colon > 40) return null;
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  // an extension header (`X-Injected: 1`) has no shape to check: a little less sure
  if (/^x-[a-z0-9-]{1,40}$/.test(name) && value !== '') return { rule: 'crlf:token-split:custom', confidence: 0.65, at: first };
  const shape = SPLIT_TARGETS[name];
  if (shape === undefined || !shape.test(value)) return null;
  return { rule: `crlf:token-split:${name}`, confidence: 0.8, at: first };
}

function scan(s: string, mode: BreakMode): Match | null {
  let best: Match | null = null;
  let checked = 0;
  for (let i = 0; i < s.length && checked < 64; i++) {
    if (!isLineBreak(s.charCodeAt(i))) continue;
    checked += 1;
    const m = injectedLine(s, i, mode);
    if (m !== null && (best === null || m.confidence > best.confidence)) best = m;
    // Skip the rest of this run of line breaks.
    while (i + 1 < s.length && isLineBreak(s.charCodeAt(i + 1))) i += 1;
    if (best !== null && best.confidence >= 0.93) break;
  }
  return best;
}

/** A line break, or an encoding of one: percent, backslash escapes, or the U+560A/U+560D-style characters. */
const BREAK_CHARS = CH.NEWLINE | CH.PERCENT | CH.BACKSLASH | CH.NONASCII;

function mayHoldBreak(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 37 || c === 92 || c > 0x24f) return true;
  }
  return false;
}

/** Literal CR/LF of the body text blanked out, then percent-decoded: every break left was encoded. */
function encodedBreaksView(raw: string, urlView: string): string {
  if (raw.indexOf('\n') < 0 && raw.indexOf('\r') < 0) return urlView;
  return urlDecode(raw.replace(/[\r\n]/g, ' '));
}

function hasTrickChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x24f && ((c & 0xff) === 10 || (c & 0xff) === 13)) return true;
  }
  return false;
}

export const crlfDetector: Detector = {
  type: 'crlf',
  triggers: BREAK_CHARS,
  detect(input: DetectorInput): Detection | null {
    const point = input.point;
    if (point.value.length < 4 || (charsOf(input) & BREAK_CHARS) === 0 || !mayHoldBreak(point.value)) return null;
    const body = point.source === 'body' || point.source === 'graphql' || point.source === 'grpc';
    let view = input.decode('url');
    let m = scan(view, body ? 'body-literal' : 'header');
    if (body && (m === null || m.confidence < 0.8)) {
      const t = tokenSplit(view);
      if (t !== null) m = t;
    }
    if (body && (m === null || m.confidence < 0.9) && (view !== point.value || hasTrickChar(view))) {
      const encoded = encodedBreaksView(point.value, view);
      const e = scan(encoded, 'body-encoded');
      if (e !== null && (m === null || e.confidence > m.confidence)) {
        m = e;
        view = encoded;
      }
    }
    // `\r\n` written as escapes (values reflected through JSON or a templating layer). In a body the
    // container's own escapes are decoded already: an escape still there is meant for a later layer.
    if ((m === null || m.confidence < 0.9) && view.indexOf('\\') >= 0) {
      const jsView = input.decode('url', 'js');
      const j = scan(jsView, body ? 'body-encoded' : 'header');
      if (j !== null && (m === null || j.confidence > m.confidence)) {
        m = j;
        view = jsView;
      }
    }
    if (m === null) return null;
    const confidence = point.isKey ? m.confidence * 0.9 : m.confidence;
    return {
      type: 'crlf',
      confidence: Math.round(confidence * 100) / 100,
      detail: m.rule,
      excerpt: view.slice(Math.max(0, m.at - 20), m.at + 100),
    };
  },
};
