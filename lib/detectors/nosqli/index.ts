import { CH, PC, PC_UNKNOWN, charMask, charsOf, plainCharsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { findShellCall, jsBreakoutEnd, scanJs, scoreJs, type JsEntry } from './grammar';
import { isBenignDollarKey, operatorRisk, type OperatorRisk } from './operators';

/**
 * NoSQL injection: MongoDB operator injection through parameter names (`user[$ne]=x`), JSON keys
 * (`{"password": {"$gt": ""}}`) and JSON-in-string values (`{"$gt": ""}`); server-side JavaScript
 * breaking out of a `$where` string (`'; return true; var x='`, `' && this.password.match(/.*\/)//`);
 * Mongo shell calls; CouchDB admin endpoints and Redis protocol smuggling where a value is forwarded.
 */

interface Finding {
  confidence: number;
  detail: string;
  excerpt: string;
}

const OPERATOR_CONFIDENCE: Record<OperatorRisk, { key: number; bracket: number; embedded: number }> = {
  // JSON key / `name[$op]` query name / `{"$op": ...}` inside a string value
  code: { key: 0.95, bracket: 0.95, embedded: 0.95 },
  match: { key: 0.85, bracket: 0.9, embedded: 0.9 },
  filter: { key: 0.4, bracket: 0.45, embedded: 0.45 },
  write: { key: 0.45, bracket: 0.7, embedded: 0.45 },
};

/**
 * Query-string filter DSLs that use Mongo-style operators on purpose (Strapi `filters[f][$eq]=`,
 * LoopBack/Sequelize `where[f][$gt]=`): the operator is the API, so it is only a hint there.
 */
/** An update/aggregation stage written as a whole document inside a string value. */
const WRITE_DOCUMENT = 0.75;

const FILTER_DSL_PREFIXES = ['filters[', 'filter[', 'where['];
const DSL_CAP = 0.45;

function inFilterDsl(s: string, at: number): boolean {
  // the parameter that holds the operator starts after the last `&`/`?` before it
  const from = Math.max(s.lastIndexOf('&', at), s.lastIndexOf('?', at)) + 1;
  for (const p of FILTER_DSL_PREFIXES) if (s.startsWith(p, from)) return true;
  return false;
}

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/** `$name` starting at `at` (the `$`): the operator name, or '' if none. */
function dollarName(s: string, at: number): string {
  let e = at + 1;
  while (e < s.length && isNameChar(s.charCodeAt(e))) e += 1;
  return s.slice(at + 1, e);
}

/** A key that is itself an operator (`$ne`) or carries one in brackets (`user[$ne]`, `a[b][$regex]`). */
function fromKey(key: string): Finding | null {
  let best: Finding | null = null;
  for (let at = key.indexOf('$'); at >= 0; at = key.indexOf('$', at + 1)) {
    const name = dollarName(key, at);
    const risk = operatorRisk(name);
    if (risk === undefined) continue;
    const bracket = at > 0 && key[at - 1] === '[' && key[at + 1 + name.length] === ']';
    const whole = at === 0 && name.length + 1 === key.length;
    if (!bracket && !whole) continue;
    if (whole && isBenignDollarKey(name)) continue;
    let c = bracket ? OPERATOR_CONFIDENCE[risk].bracket : OPERATOR_CONFIDENCE[risk].key;
    if (bracket && risk !== 'code' && inFilterDsl(key, at)) c = Math.min(c, DSL_CAP);
    if (best === null || c > best.confidence) best = { confidence: c, detail: `nosqli:key:$${name}`, excerpt: key };
  }
  return best;
}

/** Skips white space, `+` (a space in URL forms) and JS block comments, forwards or backwards. */
function skipSpaces(s: string, i: number, step: 1 | -1): number {
  for (let guard = 0; guard < s.length + 1; guard++) {
    if (i < 0 || i >= s.length) return i;
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 0xa0 || c === 43) {
      i += step;
    } else if (step === 1 && c === 47 && s[i + 1] === '*') {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) return i;
      i = close + 2;
    } else if (step === -1 && c === 47 && s[i - 1] === '*') {
      const open = s.lastIndexOf('/*', i - 2);
      if (open < 0) return i;
      i = open - 1;
    } else return i;
  }
  return i;
}

/**
 * Operator objects inside a string value: `{"$gt": ""}`, `{ $ne: 1 }`, `{$where: '...'}`,
 * `[$ne]=1`, `, $or: [...]`. The `$name` must sit where a JSON/JS object key or a bracket
 * parameter name sits, so prices (`$5`) and template text (`$name`) do not count.
 */
function fromEmbedded(s: string): Finding | null {
  let best: Finding | null = null;
  for (let at = s.indexOf('$'); at >= 0; at = s.indexOf('$', at + 1)) {
    const name = dollarName(s, at);
    if (name === '') continue;
    const risk = operatorRisk(name);
    if (risk === undefined) continue;
    const end = at + 1 + name.length;
    let l = skipSpaces(s, at - 1, -1);
    let r = skipSpaces(s, end, 1);
    const lq = s[l];
    if ((lq === '"' || lq === "'") && s[r] === lq) {
      l = skipSpaces(s, l - 1, -1);
      r = skipSpaces(s, r + 1, 1);
    }
    const left = l < 0 ? '' : s[l];
    const right = s[r];
    const objectKey = (left === '{' || left === ',' || left === '') && right === ':';
    const bracketName = left === '[' && right === ']' && (s[r + 1] === '=' || s[skipSpaces(s, r + 1, 1)] === '=');
    if (!objectKey && !bracketName) continue;
    let c = OPERATOR_CONFIDENCE[risk].embedded;
    // `{"$lookup": {"from": "users", …}}`, `{"$set": {"role": "admin"}}`: a whole stage or update document
    // opening the object, not a stray `$word:` in text; the app would run it as given.
    if (risk === 'write' && objectKey && left === '{') {
      const arg = s[skipSpaces(s, r + 1, 1)];
      if (arg === '{' || arg === '[') c = Math.max(c, WRITE_DOCUMENT);
    }
    if (bracketName && risk !== 'code' && inFilterDsl(s, at)) c = Math.min(c, DSL_CAP);
    if (best === null || c > best.confidence) best = { confidence: c, detail: `nosqli:embedded:$${name}`, excerpt: s.slice(Math.max(0, l), Math.min(s.length, r + 40)) };
  }
  return best;
}

/** JS continuation in the three contexts: as-is, after `'`, after `"`. */
function fromJavaScript(s: string): Finding | null {
  let best = null as Finding | null;
  const consider = (entry: JsEntry, start: number, ctx: string): void => {
    const sig = scanJs(s, start, entry);
    const sc = scoreJs(entry, sig);
    if (sc.confidence > 0 && (best === null || sc.confidence > best.confidence)) {
      best = { confidence: sc.confidence, detail: `nosqli:js:${ctx}:${sc.rule}`, excerpt: s.slice(0, Math.max(sig.end, start)) };
    }
  };
  const c0 = s.charCodeAt(skipSpaces(s, 0, 1));
  // `||`, `&&`, `;`, `,`, `}`: the value continues an expression or statement
  const lead = c0 === 124 || c0 === 38 || c0 === 59 || c0 === 44 || c0 === 125 || c0 === 41;
  consider(lead ? 'lead' : 'operand', 0, 'as-is');
  const shell = s.indexOf('db.') >= 0 ? findShellCall(s) : -1;
  if (shell >= 0 && (best === null || best.confidence < 0.9)) best = { confidence: 0.9, detail: 'nosqli:js:shell', excerpt: s.slice(shell, shell + 80) };
  for (const q of ["'", '"']) {
    if (s.indexOf(q) < 0) continue;
    const end = jsBreakoutEnd(s, q);
    if (end > 0 && end < s.length) consider('quote', end, q);
  }
  return best;
}

/**
 * `this.constructor.constructor('return process')()`: every object's constructor's constructor is
 * `Function`, which compiles a string into code — the way out of a `$where`/`mapReduce` sandbox (and of
 * any JS sandbox). Only that chain, followed by a call, counts; the word alone is ordinary prose.
 */
const FUNCTION_CONSTRUCTOR = /constructor\s{0,8}(?:\.\s{0,8}constructor|\[\s{0,8}['"`]constructor['"`]\s{0,8}\])\s{0,8}\(/;

function fromFunctionConstructor(s: string): Finding | null {
  const m = FUNCTION_CONSTRUCTOR.exec(s);
  if (m === null) return null;
  return { confidence: 0.9, detail: 'nosqli:js:function-constructor', excerpt: s.slice(Math.max(0, m.index - 20), m.index + 80) };
}

const COUCH_ENDPOINTS = ['_all_docs', '_design/', '_config', '_users/', '_replicate', '_session', '_utils/', '_changes', '_find'];

/** CouchDB admin/document-listing endpoints smuggled into a value that the app forwards. */
function fromCouch(s: string, inPath: boolean): Finding | null {
  for (const ep of COUCH_ENDPOINTS) {
    const at = s.indexOf(ep);
    if (at < 0) continue;
    const before = at === 0 ? '' : s[at - 1];
    if (before !== '/' && before !== '?' && before !== '=' && before !== '') continue;
    const after = s[at + ep.length];
    if (!ep.endsWith('/') && after !== undefined && isNameChar(after.charCodeAt(0))) continue;
    // a gateway in front of CouchDB sees these in paths legitimately: only a hint there
    return { confidence: inPath || before !== '/' ? 0.4 : 0.7, detail: `nosqli:couchdb:${ep.replace('/', '')}`, excerpt: s.slice(Math.max(0, at - 20), at + 40) };
  }
  return null;
}

const REDIS_COMMANDS = /(^|[\r\n])[ \t]*(FLUSHALL|FLUSHDB|CONFIG[ \t]+(SET|GET|REWRITE)|SLAVEOF|REPLICAOF|MODULE[ \t]+LOAD|EVAL|EVALSHA|SCRIPT[ \t]+LOAD|DEBUG[ \t]+\w|SHUTDOWN|MIGRATE)\b/i;

/** Redis commands or RESP framing after a line break: protocol smuggling into a Redis-backed value. */
function fromRedis(s: string): Finding | null {
  if (s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return null;
  const resp = /\*\d{1,3}\r?\n\$\d{1,6}\r?\n/.exec(s);
  if (resp !== null) return { confidence: 0.85, detail: 'nosqli:redis:resp', excerpt: s.slice(resp.index, resp.index + 60) };
  const cmd = REDIS_COMMANDS.exec(s);
  if (cmd !== null && cmd.index > 0) return { confidence: 0.8, detail: `nosqli:redis:${cmd[2].split(/\s/)[0].toLowerCase()}`, excerpt: s.slice(cmd.index, cmd.index + 60) };
  return null;
}

/**
 * Classes that some rule needs: `$` (operators), quotes (JS breakouts), `;`/`{`/`}`/`|`/`&` (JS
 * statements and logic), a line break (Redis), `%`/`\` (encoded forms of all of these).
 */
const NOSQL_TRIGGERS = CH.DOLLAR | CH.SQUOTE | CH.DQUOTE | CH.SEMI | CH.PIPE | CH.AMP | CH.LBRACE | CH.RBRACE | CH.NEWLINE | CH.PERCENT | CH.BACKSLASH;

/**
 * Cheap gate on the point's shared character mask: the classes above, or `_` for CouchDB endpoints,
 * or a `(` that calls `function(`/`db.x(`/`constructor(` (whole `$where` functions, shell calls,
 * the Function constructor).
 */
export function mayBeNoSql(s: string, chars = charMask(s), plain: number = PC_UNKNOWN): boolean {
  if ((chars & NOSQL_TRIGGERS) !== 0) return true;
  if ((plain & PC.UNDERSCORE) !== 0 && hasSegmentUnderscore(s)) return true;
  return (chars & CH.LPAREN) !== 0 && (s.indexOf('function') >= 0 || s.indexOf('db.') >= 0 || s.indexOf('constructor') >= 0);
}

/** An `_` that starts the value or a path/query segment, as CouchDB's `_all_docs`, `/_users` do (`ord_8f2k3` has none). */
function hasSegmentUnderscore(s: string): boolean {
  for (let at = s.indexOf('_'); at >= 0; at = s.indexOf('_', at + 1)) {
    const before = at === 0 ? 47 : s.charCodeAt(at - 1);
    if (before === 47 || before === 63 || before === 61) return true; // / ? =
  }
  return false;
}

/**
 * What a JavaScript continuation after a quote needs besides the quote: an operator, a call, a
 * statement separator or an encoded form. `o'reilly` and `"Hello"` have none, so the JS readings are
 * not scanned for them.
 */
const JS_CONTINUATION = NOSQL_TRIGGERS & ~(CH.SQUOTE | CH.DQUOTE) | CH.EQUALS | CH.LT | CH.GT | CH.BANG | CH.LPAREN | CH.RPAREN | CH.PLUS | CH.STAR | CH.SLASH | CH.COLON | CH.LBRACKET | CH.RBRACKET | CH.QUESTION | CH.CARET | CH.DASH;

const MAX_ANALYSED = 4096;

/** Quotes, `;`, `|`, `&` or `$`: what a JS continuation needs (base64 with `+` has none of them). */
function hasCodePunctuation(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 39 || c === 34 || c === 59 || c === 124 || c === 38 || c === 36) return true;
  }
  return false;
}

export function detectNoSqli(input: DetectorInput): Detection | null {
  const point = input.point;
  const raw = point.value;
  if (raw.length < 2 || !mayBeNoSql(raw, charsOf(input), plainCharsOf(input))) return null;
  let s = raw.indexOf('%') >= 0 || raw.indexOf('\\') >= 0 ? input.decode('url', 'js') : raw;
  // `\u0027\u0025\u0032\u0030…`: JS escapes over a URL-encoded payload (the app unescapes, then URL-decodes).
  if (s !== raw && s.indexOf('%') >= 0 && raw.indexOf('\\') >= 0) s = input.decode('url', 'js', 'url');
  if (s.length > MAX_ANALYSED) s = s.slice(0, MAX_ANALYSED);
  let best = null as Finding | null;
  const consider = (f: Finding | null): void => {
    if (f !== null && (best === null || f.confidence > best.confidence)) best = f;
  };
  if (s.indexOf('$') >= 0) {
    if (point.isKey) consider(fromKey(s));
    consider(fromEmbedded(s));
  }
  if (!point.isKey) {
    if ((charsOf(input) & JS_CONTINUATION) !== 0 || s.indexOf(',') >= 0 || s.indexOf('constructor') >= 0) consider(fromJavaScript(s));
    // `+` for space where the container did not decode it (JSON bodies, headers)
    if ((best === null || best.confidence < 0.5) && s.indexOf('+') >= 0 && hasCodePunctuation(s)) consider(fromJavaScript(s.replace(/\+/g, ' ')));
    if (s.indexOf('constructor') >= 0) consider(fromFunctionConstructor(s));
    if (s.indexOf('_') >= 0) consider(fromCouch(s, point.source === 'path'));
    consider(fromRedis(s));
  }
  if (best === null) return null;
  const f: Finding = best;
  return { type: 'nosqli', confidence: f.confidence, detail: f.detail, excerpt: f.excerpt.slice(0, 200) };
}

export const nosqliDetector: Detector = {
  type: 'nosqli',
  detect: detectNoSqli,
};
