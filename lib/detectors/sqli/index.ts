import type { Detection, Detector, DetectorInput } from '../../types';
import { TokenStream, type SqlToken } from './fingerprint';
import { SqlParser, score, type EntryKind } from './grammar';
import { breakoutEnd } from './tokenizer';
import { CH, PC, PC_UNKNOWN, charMask, charsOf, plainCharsOf } from '../../features';
import { ALL_WORDS, isSystemObject, mayBeSystemObject, wordClass } from './keywords';

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
      if (t.cmp === true && /^[A-Z]/.test(t.text)) return 'compare';
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
  // the entry operand glued to something SQL cannot continue with (`@@CRITEO_USERID@@`, a template
  // macro): the lexer split one non-SQL word, and nothing ties the value to the query
  if (!sig.clean && sig.end === 1 && entry !== 'lead' && entry !== 'compare' && entry !== 'statement') {
    const next = ts.at(1);
    if (next !== undefined && next.start === ts.at(0)!.end) return null;
  }
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

/**
 * Whether the text after a breakout holds anything a quote-context rule needs: SQL punctuation, an
 * operator character (`'-'`, `'='`), a comment, NUL, or a logic/union/clause/statement word. `o'reilly`
 * and `Rock 'n' roll` have none, so their quote contexts are not tokenized at all.
 */
function quoteTailMaySignal(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 39: case 34: case 40: case 41: case 59: case 35: case 64: case 124: case 38: case 96: case 0: // ' " ( ) ; # @ | & ` NUL
      case 61: case 60: case 62: case 33: case 45: case 43: case 42: case 47: case 37: case 94: case 126: case 58: // = < > ! - + * / % ^ ~ :
        return true;
    }
  }
  return hasTailWord(from === 0 ? s : s.slice(from));
}

/** Fingerprint of a breakout that closes a value list: `'` `)`* `,` literal (`,` literal)* `)`. */
const VALUE_LIST = /^s\)*,(?:[1sv],){0,8}[1sv]\)/;

function quotedWord(s: string, t: SqlToken | undefined, quote: string): boolean {
  return t !== undefined && s[t.start - 1] === quote && s[t.end] === quote;
}

/** Words a value may hold before an operator probe's breakout quote (`john smith'-'`). */
const PROBE_PREFIX_WORDS = 3;

/** Words (runs of non-blanks) in s[0, to), counted up to PROBE_PREFIX_WORDS + 1. */
function wordsBefore(s: string, to: number): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < to && words <= PROBE_PREFIX_WORDS; i++) {
    const blank = s.charCodeAt(i) <= 32;
    if (!blank && !inWord) words += 1;
    inWord = !blank;
  }
  return words;
}

function analyzeQuoted(s: string, quote: "'" | '"'): SqlAnalysis | null {
  // The breakout string runs from the app's opening quote to the first quote in the value that closes it.
  const end = breakoutEnd(s, quote);
  if (end < 0 || end >= s.length) return null;
  if (!quoteTailMaySignal(s, end)) return null;
  const breakout: SqlToken = { cls: 's', text: quote, start: 0, end, quote, closed: true };
  const ts = stream.reset(s, end, MAX_TOKENS, breakout);
  if (ts.at(1) === undefined) return null;
  const sig = parser.reset(ts, quote).parseInjection('quote');
  let sc = score('quote', sig);
  // `'-'`, `x'^'`, `" like '%'`: a lone operator between quotes is a probe sent as the whole value or
  // appended to a short one. Behind a sentence it is a character being quoted (`separated by a bar ('|')`).
  if (sc.rule === 'breakout:operator' && wordsBefore(s, end - 1) > PROBE_PREFIX_WORDS) sc = { confidence: Math.min(sc.confidence, 0.3), rule: sc.rule };
  // `x' or 'y`, `' or '' '`: a bare logic operator between the breakout and a string that the app's own
  // closing quote completes — the authentication-bypass probe shape. It takes a quote placed on each
  // side of a lone OR/AND, which quoted prose ("'red' or 'blue'") does not produce.
  // The breakout quote (at end - 1) must close something: it starts the value or follows a non-space; a
  // quote after a space opens a quotation in prose (`The 'or' operator`).
  // A logic word quoted on both sides (`"and" is a conjunction`) is a word being talked about.
  if (sc.confidence < 0.6 && sig.openString && sig.end === 3 && (end <= 1 || !/\s/.test(s[end - 2])) && parser.fingerprint() === 's&s' && !quotedWord(s, ts.at(1), quote)) {
    sc = { confidence: 0.6, rule: 'breakout:logic-string' };
  }
  // `x', 1) --`, `',NULL) …`: the breakout closes the app's VALUES (…) or argument list with literals of
  // the attacker's — an INSERT/function-call injection. Prose quotes open before the word they quote, so
  // a quote followed by `,` literals and `)` is not how text reads.
  if (sc.confidence < 0.6) {
    const fp = parser.fingerprint();
    if (VALUE_LIST.test(fp)) sc = { confidence: sig.comment || fp.indexOf('c') >= 0 ? 0.85 : 0.6, rule: 'breakout:value-list' };
  }
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

/**
 * Whether the as-is reading can score: it needs SQL punctuation other than quotes (a quote there only
 * opens a string operand), a comment, a control separator, a logic/union/clause/statement word, or a
 * catalog name (`information_schema.tables` on its own). `o'reilly` and `"Hello"` have none.
 */
function asIsMaySignal(s: string): boolean {
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if (c === 40 || c === 41 || c === 59 || c === 35 || c === 64 || c === 124 || c === 38 || c === 96 || c < 32 || c === 43 || c === 37 || c >= 0x80) return true;
    if ((c === 45 && s.charCodeAt(i + 1) === 45) || (c === 47 && s.charCodeAt(i + 1) === 42)) return true;
    const l = c | 32;
    if ((l >= 97 && l <= 122) || c === 95 || c === 36 || (c >= 48 && c <= 57) || c === 46) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      // first letter × length tables reject almost every word before it is sliced and upper-cased
      if (maySignalWord(s, start, i)) {
        const word = s.slice(start, i).toUpperCase();
        if (isSystemObject(word) || (word.length <= 9 && isTailWord(word))) return true;
      }
      start = -1;
    }
  }
  return false;
}

function analyzeContexts(s: string): SqlAnalysis | null {
  let best = asIsMaySignal(s) ? analyzeAsIs(s) : null;
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
export function analyzeSql(s: string, mayHaveLookalikes = true): SqlAnalysis | null {
  const best = analyzeContexts(s);
  if (best !== null && best.confidence >= 0.5) return best;
  if (!mayHaveLookalikes || !ANY_QUOTE_LIKE.test(s)) return best;
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
 * Punctuation that any rule needs when the value has no SQL word: a quote, a parenthesis, `;`, a `#`
 * comment, `@` variables, `|`/`&` operators, a backtick identifier, an encoded form (`%`, `+` for a
 * space, non-ASCII look-alikes and full-width forms). `--` and `/*` are checked as pairs.
 */
const SQL_PUNCTUATION = CH.SQUOTE | CH.DQUOTE | CH.LPAREN | CH.RPAREN | CH.SEMI | CH.HASH | CH.PIPE | CH.AMP | CH.PERCENT | CH.BACKTICK | CH.NONASCII;

/**
 * An `@` that can start a variable (`@@version`, ` @a:=1`): at the start, after a non-word character or
 * doubled. The `@` of an e-mail address sits between word characters and starts nothing.
 */
function hasSqlVariable(s: string): boolean {
  for (let at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
    if (at === 0 || s.charCodeAt(at + 1) === 64) return true;
    const b = s.charCodeAt(at - 1) | 32;
    if (!((b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b === 127 || b === 46 || b === 45)) return true; // 127: '_' | 32
  }
  return false;
}

/** Numbers and the literals a logic operator compares (`1 or 1`, `x or true`). */
function isOperandWord(w: string): boolean {
  const c = w.charCodeAt(0);
  if (c >= 48 && c <= 57) return true;
  const u = w.toUpperCase();
  return u === 'TRUE' || u === 'FALSE' || u === 'NULL';
}

/**
 * A value of words alone (letters, digits, spaces, `_ , . -`) reads as SQL only when it starts with a
 * statement (`show tables`, `KILL 42`, a two-word `select version`), has two SQL words (`union select`, `order by`, `or true`) or a
 * logic/comparison word beside a number (`1 or 1`, `0 div 1`). `red and blue`, `tall or short` have
 * none of these, and prose like that is most of what reaches this point, so it is not tokenized.
 */
const NUMBER_PREFIX = /^[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?/;

function wordsMaySignal(s: string): boolean {
  const words = s.split(/[\s,]+/);
  let sqlWords = 0;
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    // MySQL ends a number where its digits end: `1e0union select 1`, `1.0union …` are `1e0 union`
    if (w.length > 2 && w.charCodeAt(0) >= 48 && w.charCodeAt(0) <= 57) w = w.replace(NUMBER_PREFIX, '');
    if (w.length < 2 || w.length > 14) continue;
    const cls = wordClass(w.toUpperCase());
    if (cls === undefined) continue;
    // a bare SELECT scores only with FROM, UNION or a catalog name (the grammar's statement rule): with
    // no second SQL word it is prose (`select a size`) unless it is as short as `select current_user`
    if (++sqlWords >= 2 || (i === 0 && cls === 'statement' && (w.length !== 6 || w.toUpperCase() !== 'SELECT' || words.length <= 2))) return true;
    if ((cls === 'logic' || cls === 'cmp' || cls === 'arith') && ((i > 0 && isOperandWord(words[i - 1])) || (i + 1 < words.length && words[i + 1] !== '' && isOperandWord(words[i + 1])))) return true;
  }
  return false;
}

/**
 * Logic/union/clause/statement words (lower-case, letters only, 2..9 long): the words that start or
 * continue an injection without punctuation (`or 1=1`, `1 union select 2`, `ORDER BY 3`). Indexed by
 * first letter → bit set of lengths, so almost every letter run is rejected without a slice.
 */
const TAIL_WORDS = new Set<string>();
const TAIL_LENGTHS = new Int32Array(26);
for (const w of ALL_WORDS) {
  const c = wordClass(w);
  if ((c !== 'logic' && c !== 'union' && c !== 'clause' && c !== 'statement') || !/^[A-Z]{2,9}$/.test(w)) continue;
  TAIL_WORDS.add(w.toLowerCase());
  TAIL_LENGTHS[w.charCodeAt(0) - 65] |= 1 << w.length;
}

/** Whether a letter run starting with lower-case `letter` and `len` long can be a tail word (table only). */
function mayBeTailWord(letter: number, len: number): boolean {
  return len <= 9 && (TAIL_LENGTHS[letter - 97] & (1 << len)) !== 0;
}

/** Could s[start, end) be a tail word or start with a catalog object name (`information_schema.tables`)? */
function maySignalWord(s: string, start: number, end: number): boolean {
  const letter = s.charCodeAt(start) | 32;
  if (letter < 97 || letter > 122) return false;
  const len = end - start;
  if (mayBeTailWord(letter, len)) return true;
  const dot = s.indexOf('.', start);
  return mayBeSystemObject(letter, (dot < 0 || dot > end ? end : dot) - start);
}

/** Whether `s` holds a letter run that is a tail word (case-insensitive). */
function hasTailWord(s: string): boolean {
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const l = i < s.length ? s.charCodeAt(i) | 32 : 0;
    if (l >= 97 && l <= 122) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      const len = i - start;
      if (mayBeTailWord(s.charCodeAt(start) | 32, len) && TAIL_WORDS.has(s.slice(start, i).toLowerCase())) return true;
      start = -1;
    }
  }
  return false;
}

/**
 * Cheap gate on the point's shared character mask: every rule needs SQL punctuation (above), a `--` or
 * `/*` comment, or — for plain words — white space and a SQL word that can start or continue an
 * injection. Most benign values (names, IDs, numbers, tokens) leave after one AND and a native search.
 */
export function mayBeSql(s: string, chars = charMask(s), plain: number = PC_UNKNOWN): boolean {
  if ((chars & SQL_PUNCTUATION) !== 0) return true;
  if ((chars & CH.DASH) !== 0 && s.indexOf('--') >= 0) return true;
  if ((chars & CH.SLASH) !== 0 && (chars & CH.STAR) !== 0 && s.indexOf('/*') >= 0) return true;
  if ((chars & CH.AT) !== 0 && hasSqlVariable(s)) return true;
  if ((chars & CH.PLUS) !== 0 && plusMaySeparate(s)) return true;
  // plain words need a separator: SQL white space (controls act as separators too)
  if ((chars & (CH.NEWLINE | CH.CONTROL)) === 0 && ((plain & (PC.SPACE | PC.TAB)) === 0 || (s.indexOf(' ') < 0 && s.indexOf('\t') < 0))) return false;
  if (!hasTailWord(s)) return false;
  return (chars & ~(CH.DOT | CH.DASH | CH.PLUS | CH.AT)) !== 0 || wordsMaySignal(s);
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

/**
 * MySQL's executable comment `/*!50000UNION*\/`, `/*!1111'*\/`: MySQL runs its content, other engines
 * skip it, so payloads use it to hide SQL from filters. Only a version number or a SQL word right after
 * the `!` counts: minified JavaScript and CSS open license banners with `/*! name v1.2`.
 */
function executableComment(s: string): number {
  for (let at = s.indexOf('/*!'); at >= 0; at = s.indexOf('/*!', at + 3)) {
    const c = s.charCodeAt(at + 3);
    if (c >= 48 && c <= 57) {
      // a version, then SQL up to a close that comes soon (random symbol soup has `/*!8~*?` too)
      let e = at + 3;
      while (e < s.length && s.charCodeAt(e) >= 48 && s.charCodeAt(e) <= 57) e += 1;
      const close = s.indexOf('*/', e);
      if (close > e && close - e <= 200) return at;
      continue;
    }
    let e = at + 3;
    while (e < s.length && e - at < 16 && ((s.charCodeAt(e) | 32) >= 97 && (s.charCodeAt(e) | 32) <= 122)) e += 1;
    if (e > at + 3 && wordClass(s.slice(at + 3, e).toUpperCase()) !== undefined) return at;
  }
  return -1;
}

/** Values longer than this are analysed on their prefix only (the pipeline already caps points). */
const MAX_ANALYSED = 4096;

export function detectSqli(input: DetectorInput): Detection | null {
  const raw = input.point.value;
  if (raw.length < 2 || !mayBeSql(raw, charsOf(input), plainCharsOf(input))) return null;
  const chars = charsOf(input);
  let s = input.decode('url', 'unicode');
  if (s.length > MAX_ANALYSED) s = s.slice(0, MAX_ANALYSED);
  // quote look-alikes and `+` can only be there raw or percent-encoded
  const lookalikes = (chars & (CH.NONASCII | CH.PERCENT)) !== 0;
  let best = analyzeSql(s, lookalikes);
  // `+` for space where the container did not decode it (JSON bodies, headers, paths)
  if ((best === null || best.confidence < 0.5) && (chars & (CH.PLUS | CH.PERCENT)) !== 0 && plusMaySeparate(s)) {
    const spaced = analyzeSql(s.replace(/\+/g, ' '), lookalikes);
    if (spaced !== null && (best === null || spaced.confidence > best.confidence)) best = spaced;
  }
  if ((best === null || best.confidence < 0.75) && s.indexOf('/*!') >= 0) {
    const at = executableComment(s);
    if (at >= 0) best = { confidence: 0.75, rule: 'mysql-executable-comment', fingerprint: 'c', context: 'as-is', excerpt: s.slice(at, at + 80) };
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
