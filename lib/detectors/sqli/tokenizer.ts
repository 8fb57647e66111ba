import { functionRisk, wordClass } from './keywords';

/**
 * A lazy SQL lexer for attacker-controlled text, tolerant of every major dialect:
 * MySQL (backticks, `#` comments, executable `/*! ... *\/` comments, `0x`/`b'..'`/`_charset'..'` literals,
 * `:=`, `&&`, `||`), PostgreSQL (`$$`/`$tag$` dollar quoting, `::` casts, `E'..'`), MSSQL (`[brackets]`,
 * `N'..'`), Oracle (`q'[..]'`) and SQLite. It never throws and never backtracks: every call to `next()`
 * consumes at least one character, so the work is linear in the input.
 *
 * Raw tokens carry no grammar role; `fingerprint.ts` folds them into classes.
 */
export type RawKind =
  | 'string' //   any quoted literal (text = content is not kept; `quote` and `closed` are)
  | 'number'
  | 'variable' // @x @@version @'x' $1
  | 'word' //     unquoted identifier or keyword (text upper-cased)
  | 'ident' //    quoted identifier: `x` [x]
  | 'op' //       operator text
  | 'punct' //    ( ) , ; .
  | 'comment' //  -- # /* */ and NUL (text = comment kind, body = content)
  | 'other';

export interface RawToken {
  kind: RawKind;
  text: string;
  start: number;
  end: number;
  /** Strings: the quote character that opened them (`'`, `"`, `$` for dollar quoting, `q` for Oracle q-quotes). */
  quote?: string;
  /** Strings and block comments: whether they were terminated. */
  closed?: boolean;
  /** Words: the next significant character is `(` (a function call). */
  parenNext?: boolean;
  /** Comments: their content, used to tell `admin'--` from code like `$('#id')`. */
  body?: string;
}

const OPERATORS3 = ['<=>', '->>', '!~*'];
const OPERATORS2 = ['<>', '!=', '<=', '>=', '||', '&&', '::', ':=', '<<', '>>', '->', '!<', '!>', '==', '~*', '!~', '^=', '|=', '&=', '+=', '-=', '*=', '/=', '%='];
const OPERATOR_CHARS = '=<>!+-*/%^|&~:';

export function isSqlSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 1 && c < 32) || // tabs, newlines, \v, \f and other controls act as separators
    c === 0x7f ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200b) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 0x80 && !isSqlSpace(c));
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36; /* $ as in sys.user$ */
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Words that prefix a quote to make a typed string literal: N'..' E'..' B'..' X'..' (and `_utf8'..'`). */
const STRING_PREFIXES = new Set(['N', 'E', 'B', 'X', 'U&']);

const CLOSERS: Readonly<Record<string, string>> = { '[': ']', '{': '}', '(': ')', '<': '>' };

function isKnownWord(upper: string): boolean {
  return wordClass(upper) !== undefined || functionRisk(upper) !== undefined;
}

export class SqlLexer {
  private s = '';
  private pos = 0;
  private limit = 0;
  /** Open MySQL executable comments whose `*\/` must be skipped. */
  private execDepth = 0;

  constructor(s = '', start = 0, limit = s.length) {
    this.reset(s, start, limit);
  }

  /** Starts over on another string (one lexer is reused across calls). */
  reset(s: string, start = 0, limit = s.length): this {
    this.s = s;
    this.pos = start;
    this.limit = limit;
    this.execDepth = 0;
    return this;
  }

  /** The next token, or null at the end. */
  next(): RawToken | null {
    const s = this.s;
    const n = this.limit;
    for (;;) {
      while (this.pos < n && isSqlSpace(s.charCodeAt(this.pos))) this.pos += 1;
      if (this.pos >= n) return null;
      // the end of a MySQL executable comment is not a token
      if (this.execDepth > 0 && s.charCodeAt(this.pos) === 42 && s.charCodeAt(this.pos + 1) === 47) {
        this.execDepth -= 1;
        this.pos += 2;
        continue;
      }
      // /*! ... */ and /*!50001 ... */: MySQL runs the content, so lex it
      if (s.charCodeAt(this.pos) === 47 && s.charCodeAt(this.pos + 1) === 42 && s.charCodeAt(this.pos + 2) === 33) {
        this.pos += 3;
        if (s.charCodeAt(this.pos) === 77 || s.charCodeAt(this.pos) === 109) this.pos += 1; // MariaDB /*!M
        let digits = 0;
        while (this.pos < n && digits < 6 && isDigit(s.charCodeAt(this.pos))) {
          this.pos += 1;
          digits += 1;
        }
        this.execDepth += 1;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = s.charCodeAt(start);
    const ch = s[start];

    if (c === 0) {
      // NUL truncates the query in C-string based stacks: treat as a terminating comment
      this.pos = n;
      return { kind: 'comment', text: 'nul', start, end: n, closed: true, body: '' };
    }
    if (ch === '-' && s[start + 1] === '-') return this.lineComment(start, start + 2, '--');
    if (ch === '#') return this.lineComment(start, start + 1, '#');
    if (ch === '/' && s[start + 1] === '*') {
      const close = s.indexOf('*/', start + 2);
      const end = close < 0 || close >= n ? n : close + 2;
      this.pos = end;
      return {
        kind: 'comment',
        text: '/*',
        start,
        end,
        closed: close >= 0 && close < n,
        body: s.slice(start + 2, close < 0 || close >= n ? n : close),
      };
    }
    if (ch === "'" || ch === '"') return this.quoted(start, start, ch);
    if (ch === '`') return this.identifier(start, '`', '`');
    if (ch === '[') {
      const close = s.indexOf(']', start + 1);
      if (close > start && close - start <= 128 && close < n) {
        const inner = s.slice(start + 1, close);
        if (inner.indexOf('[') < 0 && inner.indexOf('\n') < 0) return this.identifier(start, '[', ']');
      }
      this.pos = start + 1;
      return { kind: 'other', text: '[', start, end: start + 1 };
    }
    if (ch === '$') return this.dollar(start);
    if (ch === '@') return this.variable(start);
    if (isDigit(c) || (ch === '.' && isDigit(s.charCodeAt(start + 1)))) return this.number(start);
    if (isWordStart(c)) return this.word(start);
    if (ch === '(' || ch === ')' || ch === ',' || ch === ';' || ch === '.') {
      this.pos = start + 1;
      return { kind: 'punct', text: ch, start, end: start + 1 };
    }
    if (OPERATOR_CHARS.indexOf(ch) >= 0) {
      const three = s.slice(start, start + 3);
      const two = s.slice(start, start + 2);
      const text = OPERATORS3.indexOf(three) >= 0 ? three : OPERATORS2.indexOf(two) >= 0 ? two : ch;
      this.pos = start + text.length;
      return { kind: 'op', text, start, end: this.pos };
    }
    this.pos = start + 1;
    return { kind: 'other', text: ch, start, end: start + 1 };
  }

  private lineComment(start: number, from: number, text: string): RawToken {
    const s = this.s;
    let end = from;
    while (end < this.limit && s[end] !== '\n' && s[end] !== '\r') end += 1;
    this.pos = end;
    return { kind: 'comment', text, start, end, closed: true, body: s.slice(from, end) };
  }

  /** A quoted string starting at `quoteAt`; doubled quotes and backslash escapes stay inside. */
  private quoted(start: number, quoteAt: number, q: string): RawToken {
    const s = this.s;
    const n = this.limit;
    let i = quoteAt + 1;
    while (i < n) {
      const d = s[i];
      if (d === '\\') {
        i += 2;
        continue;
      }
      if (d === q) {
        if (s[i + 1] === q) {
          i += 2;
          continue;
        }
        this.pos = i + 1;
        return { kind: 'string', text: q, start, end: i + 1, quote: q, closed: true };
      }
      i += 1;
    }
    this.pos = n;
    return { kind: 'string', text: q, start, end: n, quote: q, closed: false };
  }

  private identifier(start: number, open: string, close: string): RawToken {
    const end = this.s.indexOf(close, start + 1);
    if (end < 0 || end >= this.limit) {
      this.pos = this.limit;
      return { kind: 'ident', text: this.s.slice(start + 1, this.limit).toUpperCase(), start, end: this.limit, closed: false };
    }
    this.pos = end + 1;
    const tok: RawToken = { kind: 'ident', text: this.s.slice(start + 1, end).toUpperCase(), start, end: end + 1, closed: true };
    if (open === '`' || open === '[') tok.parenNext = this.peekChar() === '(';
    return tok;
  }

  /** PostgreSQL `$$...$$` / `$tag$...$tag$`, or a `$1` parameter. */
  private dollar(start: number): RawToken {
    const s = this.s;
    let i = start + 1;
    if (isDigit(s.charCodeAt(i))) {
      while (i < this.limit && isDigit(s.charCodeAt(i))) i += 1;
      this.pos = i;
      return { kind: 'variable', text: s.slice(start, i), start, end: i };
    }
    while (i < this.limit && i - start < 64 && (isWordStart(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i += 1;
    if (s[i] !== '$') {
      this.pos = start + 1;
      return { kind: 'other', text: '$', start, end: start + 1 };
    }
    const tag = s.slice(start, i + 1);
    const close = s.indexOf(tag, i + 1);
    if (close < 0 || close >= this.limit) {
      this.pos = this.limit;
      return { kind: 'string', text: '$', start, end: this.limit, quote: '$', closed: false };
    }
    this.pos = close + tag.length;
    return { kind: 'string', text: '$', start, end: this.pos, quote: '$', closed: true };
  }

  /** `@x`, `@@version`, `@@global.x`, `@'quoted'`, and the bare `@` of `INTO @,@`. */
  private variable(start: number): RawToken {
    const s = this.s;
    let i = start + 1;
    if (s[i] === '@') i += 1;
    if (s[i] === "'" || s[i] === '"' || s[i] === '`') {
      const q = s[i];
      const close = s.indexOf(q, i + 1);
      i = close < 0 || close >= this.limit ? this.limit : close + 1;
    } else {
      while (i < this.limit && (isWordChar(s.charCodeAt(i)) || (s[i] === '.' && isWordStart(s.charCodeAt(i + 1))))) i += 1;
    }
    this.pos = i;
    return { kind: 'variable', text: s.slice(start, i).toUpperCase(), start, end: i };
  }

  private number(start: number): RawToken {
    const s = this.s;
    const n = this.limit;
    let i = start;
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHex(s.charCodeAt(i + 2))) {
      i += 2;
      while (i < n && isHex(s.charCodeAt(i))) i += 1;
    } else if (s[i] === '0' && (s[i + 1] === 'b' || s[i + 1] === 'B') && (s[i + 2] === '0' || s[i + 2] === '1')) {
      i += 2;
      while (i < n && (s[i] === '0' || s[i] === '1')) i += 1;
    } else {
      while (i < n && isDigit(s.charCodeAt(i))) i += 1;
      if (s[i] === '.') {
        i += 1;
        while (i < n && isDigit(s.charCodeAt(i))) i += 1;
      }
      if ((s[i] === 'e' || s[i] === 'E') && (isDigit(s.charCodeAt(i + 1)) || ((s[i + 1] === '+' || s[i + 1] === '-') && isDigit(s.charCodeAt(i + 2))))) {
        i += 2;
        while (i < n && isDigit(s.charCodeAt(i))) i += 1;
      }
    }
    this.pos = i;
    return { kind: 'number', text: s.slice(start, i), start, end: i };
  }

  private word(start: number): RawToken {
    const s = this.s;
    const n = this.limit;
    let i = start;
    while (i < n && isWordChar(s.charCodeAt(i))) i += 1;
    let upper = s.slice(start, i).toUpperCase();
    // typed literals: N'..' E'..' X'..' B'..' _utf8'..' and Oracle q'[..]' / Nq'{..}'
    if (s[i] === "'") {
      if (upper === 'Q' || upper === 'NQ') return this.oracleQuote(start, i);
      if (STRING_PREFIXES.has(upper) || (upper.charCodeAt(0) === 95 && upper.length > 1)) return this.quoted(start, i, "'");
    }
    if (s[i] === '&' && upper === 'U' && s[i + 1] === "'") return this.quoted(start, i + 1, "'");
    // UN/**/ION: a comment splitting a keyword. MySQL would read two words, but filters that strip
    // comments (and some back ends) join them; join when only the joined form is a SQL word.
    if (s[i] === '/' && s[i + 1] === '*' && s[i + 2] !== '!') {
      const close = s.indexOf('*/', i + 2);
      if (close > 0 && close + 2 < n && isWordStart(s.charCodeAt(close + 2))) {
        let j = close + 2;
        while (j < n && isWordChar(s.charCodeAt(j))) j += 1;
        const joined = upper + s.slice(close + 2, j).toUpperCase();
        if (!isKnownWord(upper) && isKnownWord(joined)) {
          i = j;
          upper = joined;
        }
      }
    }
    this.pos = i;
    return { kind: 'word', text: upper, start, end: i, parenNext: this.peekChar() === '(' };
  }

  private oracleQuote(start: number, quoteAt: number): RawToken {
    const s = this.s;
    const open = s[quoteAt + 1];
    if (open === undefined || isSqlSpace(s.charCodeAt(quoteAt + 1))) return this.quoted(start, quoteAt, "'");
    const close = (CLOSERS[open] ?? open) + "'";
    const end = s.indexOf(close, quoteAt + 2);
    if (end < 0 || end >= this.limit) {
      this.pos = this.limit;
      return { kind: 'string', text: 'q', start, end: this.limit, quote: 'q', closed: false };
    }
    this.pos = end + 2;
    return { kind: 'string', text: 'q', start, end: this.pos, quote: 'q', closed: true };
  }

  /** The next significant character after the current position, skipping spaces and block comments. */
  private peekChar(): string {
    const s = this.s;
    let i = this.pos;
    for (let guard = 0; guard < 8; guard++) {
      while (i < this.limit && isSqlSpace(s.charCodeAt(i))) i += 1;
      if (s[i] === '/' && s[i + 1] === '*') {
        if (s[i + 2] === '!') {
          i += 3;
          while (i < this.limit && isDigit(s.charCodeAt(i))) i += 1;
          continue;
        }
        const close = s.indexOf('*/', i + 2);
        if (close < 0) return '';
        i = close + 2;
        continue;
      }
      if (this.execDepth > 0 && s[i] === '*' && s[i + 1] === '/') {
        i += 2;
        continue;
      }
      break;
    }
    return i < this.limit ? s[i] : '';
  }
}

/**
 * Where a value breaks out of a literal the app opened with `quote`: the index just past the first
 * quote in `s` that closes it (doubled quotes and backslash escapes stay inside, as MySQL reads them),
 * or -1 when the whole value stays inside the literal.
 */
export function breakoutEnd(s: string, quote: string): number {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const d = s[i];
    if (d === '\\') {
      i += 2;
      continue;
    }
    if (d === quote) {
      if (s[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return -1;
}

/** All raw tokens of a string (tests and tools; the detector pulls them lazily). */
export function tokenizeSql(s: string, start = 0, max = 10_000): RawToken[] {
  const lexer = new SqlLexer(s, start);
  const out: RawToken[] = [];
  for (let t = lexer.next(); t !== null && out.length < max; t = lexer.next()) out.push(t);
  return out;
}
