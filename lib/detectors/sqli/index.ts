import type { Detection, Detector, DetectorInput } from '../../types';
import { TokenStream, type SqlToken } from './fingerprint';
import { SqlParser, score, type EntryKind } from './grammar';
import { breakoutEnd } from './tokenizer';
import { wordClass } from './keywords';

/**
 * SQL injection, libinjection style: the value is read as SQL in the three places an injection can
 * start — as-is (numeric context), after an implied `'` and after an implied `"` — and the grammar
 * decides whether it continues the app's query into SQL structure (see grammar.ts).
 */

export interface SqlAnalysis {
  confidence: number;
  rule: string;
  /** Class string of the parsed tokens, e.g. `s&1o1c`. */
  fingerprint: string;
  context: 'as-is' | "'" | '"';
  /** Slice of the analysed text that the parse covered. */
  excerpt: string;
}

const MAX_TOKENS = 256;
const REPORT_FLOOR = 0.3;

function entryOf(t: SqlToken | undefined, next: SqlToken | undefined): EntryKind | null {
  if (t === undefined) return null;
  switch (t.cls) {
    case '1':
    case 'v':
    case '(':
    case '!':
      return 'number';
    case 's':
      return 'string';
    case 'n':
      return 'word';
    case 'f':
      return t.risk !== undefined && t.risk !== 'plain' ? 'number' : 'word';
    case 'o':
      // ` RLIKE (SELECT ...)`, ` LIKE 'a%' AND ...`: the value continues a comparison
      if (t.cmp === true && /^[A-Z]/.test(t.text)) return 'lead';
      if ((t.text === '-' || t.text === '+' || t.text === '~') && next !== undefined && (next.cls === '1' || next.cls === 'f' || next.cls === '(' || next.cls === 'v')) {
        return 'number';
      }
      return null;
    case 'k':
      return t.text === 'CASE' ? 'number' : null;
    case 'E':
      return 'statement';
    case '&':
    case ')':
    case ',':
    case ';':
    case 'U':
    case 'B':
      return 'lead';
    default:
      return null;
  }
}

// One stream and one parser, reused: detection is synchronous, so no two analyses overlap.
const stream = new TokenStream();
const parser = new SqlParser();

function analyzeAsIs(s: string): SqlAnalysis | null {
  const ts = stream.reset(s, 0, MAX_TOKENS);
  const entry = entryOf(ts.at(0), ts.at(1));
  if (entry === null) return null;
  const sig = parser.reset(ts, '').parseInjection(entry);
  const sc = score(entry, sig);
  if (sc.confidence <= 0) return null;
  const last = ts.at(Math.max(sig.end - 1, 0));
  return {
    confidence: sc.confidence,
    rule: `${entry}:${sc.rule}`,
    fingerprint: parser.fingerprint(),
    context: 'as-is',
    excerpt: s.slice(0, last === undefined ? s.length : last.end),
  };
}

function analyzeQuoted(s: string, quote: "'" | '"'): SqlAnalysis | null {
  // The breakout string runs from the app's opening quote to the first quote in the value that closes it.
  const end = breakoutEnd(s, quote);
  if (end < 0 || end >= s.length) return null;
  const breakout: SqlToken = { cls: 's', text: quote, start: 0, end, quote, closed: true };
  const ts = stream.reset(s, end, MAX_TOKENS, breakout);
  if (ts.at(1) === undefined) return null;
  const sig = parser.reset(ts, quote).parseInjection('quote');
  const sc = score('quote', sig);
  if (sc.confidence <= 0) return null;
  const last = ts.at(Math.max(sig.end - 1, 0));
  return {
    confidence: sc.confidence,
    rule: `quote:${sc.rule}`,
    fingerprint: parser.fingerprint(),
    context: quote,
    excerpt: s.slice(0, last === undefined ? s.length : last.end),
  };
}

function analyzeContexts(s: string): SqlAnalysis | null {
  let best = analyzeAsIs(s);
  const consider = (a: SqlAnalysis | null): void => {
    if (a !== null && (best === null || a.confidence > best.confidence)) best = a;
  };
  if (s.indexOf("'") >= 0) consider(analyzeQuoted(s, "'"));
  if (s.indexOf('"') >= 0) consider(analyzeQuoted(s, '"'));
  return best;
}

/**
 * Quote look-alikes that some stacks turn into ASCII quotes (MSSQL's best-fit mapping of U+02BC,
 * editors' smart quotes pasted into payloads, the prime U+2032).
 */
const QUOTE_LIKE = /[\u02b9\u02bc\u2018\u2019\u201b\u2032\uff07]/g;
const DQUOTE_LIKE = /[\u201c\u201d\u201f\u2033\uff02]/g;
const ANY_QUOTE_LIKE = /[\u02b9\u02bc\u2018\u2019\u201b\u2032\uff07\u201c\u201d\u201f\u2033\uff02]/;

/** The strongest reading of `s` as an injection, or null. Exposed for tests and tools. */
export function analyzeSql(s: string): SqlAnalysis | null {
  const best = analyzeContexts(s);
  if (best !== null && best.confidence >= 0.5) return best;
  if (!ANY_QUOTE_LIKE.test(s)) return best;
  const folded = analyzeContexts(s.replace(QUOTE_LIKE, "'").replace(DQUOTE_LIKE, '"'));
  if (folded === null) return best;
  // the mapping is not universal: a little less sure than with real quotes
  const lowered = { ...folded, confidence: folded.confidence - 0.05, rule: `${folded.rule}:lookalike` };
  return best === null || lowered.confidence > best.confidence ? lowered : best;
}

/** Word classes that can start or continue an injection without any punctuation (`or 1=1`, `1 union select 2`). */
function isTailWord(upper: string): boolean {
  const c = wordClass(upper);
  return c === 'logic' || c === 'union' || c === 'clause' || c === 'statement';
}

/**
 * Cheap gate, well under a microsecond: every rule needs a quote, a parenthesis, `;`, a comment,
 * `@`, `|`/`&`, an encoded form (`%`, `+`, non-ASCII), or — for plain words — a SQL word that can
 * start or continue an injection (`or 1=1`, `1 union select 2`, `ORDER BY 3`).
 */
export function mayBeSql(s: string): boolean {
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 39: // '
      case 34: // "
      case 40: // (
      case 41: // )
      case 59: // ;
      case 35: // #
      case 64: // @
      case 124: // |
      case 38: // &
      case 37: // %
      case 96: // `
      case 43: // +  (`1+or+1=1` in a JSON value)
      case 44: // ,  (`,(select ...)` continuing an ORDER BY list)
        return true;
      case 45: // --
        if (s.charCodeAt(i + 1) === 45) return true;
        break;
      case 47: // /*
        if (s.charCodeAt(i + 1) === 42) return true;
        break;
      default:
        if (c <= 32) space = true;
        else if (c >= 0x80) return true;
    }
  }
  if (!space) return false;
  // plain words: look for a logic/union/clause/statement word (letters only, 2..9 long)
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) | 32 : 0;
    const letter = c >= 97 && c <= 122;
    if (letter) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const len = i - start;
      if (len >= 2 && len <= 9 && isTailWord(s.slice(start, i).toUpperCase())) return true;
      start = -1;
    }
  }
  return false;
}

/**
 * Whether reading `+` as a space could change the SQL: a `+` next to a quote, parenthesis or comment,
 * or in front of a logic/union/clause/statement word (`'+or+1=1`, `1+union+select`). Base64 and
 * arithmetic do not qualify, so they are not analysed twice.
 */
function plusMaySeparate(s: string): boolean {
  for (let at = s.indexOf('+'); at >= 0; at = s.indexOf('+', at + 1)) {
    const prev = s[at - 1];
    const next = s[at + 1];
    if (prev === "'" || prev === '"' || prev === ')' || next === "'" || next === '"' || next === '(' || next === '-' || next === '#' || next === '/') return true;
    let e = at + 1;
    while (e < s.length && e - at <= 10 && ((s.charCodeAt(e) | 32) >= 97 && (s.charCodeAt(e) | 32) <= 122)) e += 1;
    if (e - at >= 3 && e - at <= 10 && (e === s.length || !/[A-Za-z0-9_]/.test(s[e])) && isTailWord(s.slice(at + 1, e).toUpperCase())) return true;
  }
  return false;
}

/** Values longer than this are analysed on their prefix only (the pipeline already caps points). */
const MAX_ANALYSED = 4096;

export function detectSqli(input: DetectorInput): Detection | null {
  const raw = input.point.value;
  if (raw.length < 2 || !mayBeSql(raw)) return null;
  let s = input.decode('url', 'unicode');
  if (s.length > MAX_ANALYSED) s = s.slice(0, MAX_ANALYSED);
  let best = analyzeSql(s);
  // `+` for space where the container did not decode it (JSON bodies, headers, paths)
  if ((best === null || best.confidence < 0.5) && plusMaySeparate(s)) {
    const spaced = analyzeSql(s.replace(/\+/g, ' '));
    if (spaced !== null && (best === null || spaced.confidence > best.confidence)) best = spaced;
  }
  if (best === null || best.confidence < REPORT_FLOOR) return null;
  return {
    type: 'sqli',
    confidence: Math.round(best.confidence * 100) / 100,
    detail: `sqli:${best.rule}:${best.fingerprint}`,
    excerpt: best.excerpt.slice(0, 200),
  };
}

export const sqliDetector: Detector = {
  type: 'sqli',
  detect: detectSqli,
};
