import { functionRisk, isSystemObject, wordClass, type FunctionRisk } from './keywords';
import { SqlLexer, type RawToken } from './tokenizer';

/**
 * Token classes after folding, one character each so a token run reads as a fingerprint
 * (`s&1o1c` = string, logic, number, operator, number, comment):
 *
 *   s string   1 number/NULL/TRUE   v variable   n name   f function name (a `(` follows)
 *   & AND/OR/XOR/&&/||   ! NOT   o operator (`cmp` marks comparisons)   U UNION [ALL]
 *   E statement keyword (SELECT, DROP, EXEC, WAITFOR...)   B clause (ORDER BY, GROUP BY, LIMIT...)
 *   k other keyword (FROM, AS, CASE...)   ( ) , ;   c comment that ends the statement   ? other
 */
export type TokenClass = 's' | '1' | 'v' | 'n' | 'f' | '&' | '!' | 'o' | 'U' | 'E' | 'B' | 'k' | '(' | ')' | ',' | ';' | 'c' | '?';

export interface SqlToken {
  cls: TokenClass;
  /** Upper-cased word(s) or operator text; for strings the quote character. */
  text: string;
  start: number;
  end: number;
  /** Operators: a comparison (=, <>, LIKE, IN, IS, REGEXP ...). */
  cmp?: boolean;
  /** Strings: opening quote and whether it was closed in the input. */
  quote?: string;
  closed?: boolean;
  /** Functions: what calling it means. */
  risk?: FunctionRisk;
  /** Names: a system catalog object (information_schema, sysobjects, dual...). */
  system?: boolean;
  /** Comments: their content. */
  body?: string;
}

/** Operators that compare (the rest are arithmetic, bitwise, concatenation, casts, assignment). */
const COMPARISON_OPS = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '<=>', '==', '!<', '!>', '~', '~*', '!~', '!~*']);

/** Words that may follow NOT to make one comparison operator. */
const NOT_COMPARISONS = new Set(['LIKE', 'RLIKE', 'REGEXP', 'ILIKE', 'IN', 'BETWEEN', 'SIMILAR', 'GLOB']);

/**
 * Folds a lazy stream of raw tokens into classed tokens: multi-word keywords become one token
 * (`UNION ALL`, `ORDER BY`, `NOT LIKE`, `IS NOT`), qualified names collapse (`master..xp_cmdshell`,
 * `sys.user$`, `utl_http.request(`), adjacent strings merge (MySQL concatenates `'a' 'b'`), block
 * comments in the middle vanish (they are whitespace to SQL). Tokens are folded on demand, so a
 * parser that rejects after two tokens never lexes the rest of a long value.
 */
export class TokenStream {
  private readonly lexer = new SqlLexer();
  private readonly raw: RawToken[] = [];
  private rawDone = false;
  private rawPos = 0;
  private readonly folded: SqlToken[] = [];
  private done = false;
  private maxTokens = 256;
  private text = '';

  /** The string being tokenized. */
  get source(): string {
    return this.text;
  }

  constructor(source = '', start = 0, maxTokens = 256, prefix?: SqlToken) {
    this.reset(source, start, maxTokens, prefix);
  }

  /**
   * Starts over on `source` from `start` (one stream is reused: detection is synchronous).
   * `prefix` is a token placed before the lexed ones: the breakout string of a quote context.
   */
  reset(source: string, start = 0, maxTokens = 256, prefix?: SqlToken): this {
    this.lexer.reset(source, start);
    this.text = source;
    this.raw.length = 0;
    this.rawDone = false;
    this.rawPos = 0;
    this.folded.length = 0;
    this.done = false;
    this.maxTokens = maxTokens;
    if (prefix !== undefined) this.folded.push(prefix);
    return this;
  }

  /** Token `i`, or undefined past the end. */
  at(i: number): SqlToken | undefined {
    while (this.folded.length <= i && !this.done) this.foldOne();
    return this.folded[i];
  }

  /** Number of tokens folded so far (all of them once `at` has returned undefined). */
  get length(): number {
    return this.folded.length;
  }

  private rawAt(i: number): RawToken | undefined {
    while (this.raw.length <= i && !this.rawDone) {
      const t = this.lexer.next();
      if (t === null) this.rawDone = true;
      else this.raw.push(t);
    }
    return this.raw[i];
  }

  private foldOne(): void {
    if (this.folded.length >= this.maxTokens) {
      this.done = true;
      return;
    }
    for (;;) {
      const t = this.rawAt(this.rawPos);
      if (t === undefined) {
        this.done = true;
        return;
      }
      // a closed block comment in the middle is whitespace; `--`, `#`, NUL and an unclosed `/*` end the statement
      if (t.kind === 'comment' && t.text === '/*' && t.closed && this.rawAt(this.rawPos + 1) !== undefined) {
        this.rawPos += 1;
        continue;
      }
      const tok = this.fold(t);
      if (tok !== null) {
        this.folded.push(tok);
        if (tok.cls === 'c') {
          this.done = true; // nothing after a terminating comment reaches the SQL parser
        }
        return;
      }
    }
  }

  /** Folds the raw token at rawPos (and any it absorbs); null when it was absorbed into the previous token. */
  private fold(t: RawToken): SqlToken | null {
    const p = this.rawPos;
    this.rawPos += 1;
    switch (t.kind) {
      case 'string': {
        const prev = this.folded[this.folded.length - 1];
        if (prev !== undefined && prev.cls === 's' && prev.closed && prev.end <= t.start && this.folded.length > 0) {
          // 'a' 'b' is one string in MySQL
          prev.end = t.end;
          prev.closed = t.closed;
          return null;
        }
        return { cls: 's', text: t.text, start: t.start, end: t.end, quote: t.quote, closed: t.closed };
      }
      case 'number':
        return { cls: '1', text: t.text, start: t.start, end: t.end };
      case 'variable':
        return { cls: 'v', text: t.text, start: t.start, end: t.end };
      case 'ident':
        return this.qualified(t, t.text, true);
      case 'comment':
        return { cls: 'c', text: t.text, start: t.start, end: t.end, body: t.body, closed: t.closed };
      case 'punct':
        if (t.text === '.') return { cls: 'o', text: '.', start: t.start, end: t.end };
        return { cls: t.text as TokenClass, text: t.text, start: t.start, end: t.end };
      case 'op': {
        if (t.text === '&&' || t.text === '||') return { cls: '&', text: t.text, start: t.start, end: t.end };
        if (t.text === '!' && this.rawAt(p + 1)?.kind !== 'op') return { cls: '!', text: '!', start: t.start, end: t.end };
        return { cls: 'o', text: t.text, start: t.start, end: t.end, cmp: COMPARISON_OPS.has(t.text) };
      }
      case 'other':
        return { cls: '?', text: t.text, start: t.start, end: t.end };
      case 'word':
        return this.word(t, p);
    }
  }

  /** Index of the next raw token after `p` that is not a closed block comment (`UNION/**\/ALL`). */
  private significantAfter(p: number): number {
    let k = p + 1;
    for (let t = this.rawAt(k); t !== undefined && t.kind === 'comment' && t.text === '/*' && t.closed; t = this.rawAt(k)) k += 1;
    return k;
  }

  private word(t: RawToken, p: number): SqlToken {
    const w = t.text;
    const nextIndex = this.significantAfter(p);
    const next = this.rawAt(nextIndex);
    const nextWord = next !== undefined && next.kind === 'word' ? next.text : '';
    const cls = wordClass(w);
    const risk = functionRisk(w);
    if (t.parenNext && (risk !== undefined || cls === undefined || cls === 'statement' && w !== 'SELECT' && w !== 'WITH' && w !== 'VALUES')) {
      if (cls === undefined || risk !== undefined) return this.qualified(t, w, false);
    }
    switch (cls) {
      case 'logic':
        return { cls: '&', text: w, start: t.start, end: t.end };
      case 'not':
        if (NOT_COMPARISONS.has(nextWord)) {
          this.rawPos = nextIndex + 1;
          return { cls: 'o', text: `NOT ${nextWord}`, start: t.start, end: next!.end, cmp: true };
        }
        return { cls: '!', text: w, start: t.start, end: t.end };
      case 'cmp': {
        let text = w;
        let end = t.end;
        if ((w === 'IS' && nextWord === 'NOT') || (w === 'SOUNDS' && nextWord === 'LIKE') || (w === 'SIMILAR' && nextWord === 'TO')) {
          this.rawPos = nextIndex + 1;
          text = `${w} ${nextWord}`;
          end = next!.end;
        }
        return { cls: 'o', text, start: t.start, end, cmp: w !== 'COLLATE' && w !== 'ESCAPE' && w !== 'AGAINST' };
      }
      case 'arith':
        return { cls: 'o', text: w, start: t.start, end: t.end };
      case 'literal':
        return { cls: '1', text: w, start: t.start, end: t.end };
      case 'union': {
        if (nextWord === 'ALL' || nextWord === 'DISTINCT') {
          this.rawPos = nextIndex + 1;
          return { cls: 'U', text: `${w} ${nextWord}`, start: t.start, end: next!.end };
        }
        return { cls: 'U', text: w, start: t.start, end: t.end };
      }
      case 'statement':
        return { cls: 'E', text: w, start: t.start, end: t.end };
      case 'clause':
        if ((w === 'ORDER' || w === 'GROUP') && nextWord === 'BY') {
          this.rawPos = nextIndex + 1;
          return { cls: 'B', text: `${w} BY`, start: t.start, end: next!.end };
        }
        if (w === 'ORDER' || w === 'GROUP' || w === 'FOR' || w === 'FETCH' || w === 'WINDOW') return this.qualified(t, w, false);
        return { cls: 'B', text: w, start: t.start, end: t.end };
      case 'keyword':
        return { cls: 'k', text: w, start: t.start, end: t.end };
      default:
        return this.qualified(t, w, false);
    }
  }

  /** A name, with `.part` continuations folded in: `a.b`, `master..xp_cmdshell`, `utl_http.request(`. */
  private qualified(t: RawToken, first: string, quotedIdent: boolean): SqlToken {
    let text = first;
    let end = t.end;
    let parenNext = t.parenNext === true;
    for (let guard = 0; guard < 6; guard++) {
      const dot = this.rawAt(this.rawPos);
      if (dot === undefined || dot.kind !== 'punct' || dot.text !== '.' || dot.start !== end) break;
      let k = this.rawPos + 1;
      let dots = '.';
      const dot2 = this.rawAt(k);
      if (dot2 !== undefined && dot2.kind === 'punct' && dot2.text === '.' && dot2.start === dot.end) {
        dots = '..';
        k += 1;
      }
      const part = this.rawAt(k);
      if (part === undefined || (part.kind !== 'word' && part.kind !== 'ident') || part.start !== this.rawAt(k - 1)!.end) {
        break;
      }
      text += dots + part.text;
      end = part.end;
      parenNext = part.parenNext === true;
      this.rawPos = k + 1;
    }
    if (parenNext) {
      return { cls: 'f', text, start: t.start, end, risk: functionRisk(text) };
    }
    return { cls: 'n', text, start: t.start, end, system: !quotedIdent || text.indexOf('.') >= 0 ? isSystemObject(text) : false };
  }
}

/** The class string of tokens [from, to), for `detail`: `s&1o1c`. */
export function fingerprintOf(stream: TokenStream, from: number, to: number, max = 16): string {
  let fp = '';
  for (let i = from; i < to && fp.length < max; i++) {
    const t = stream.at(i);
    if (t === undefined) break;
    fp += t.cls;
  }
  return fp;
}
