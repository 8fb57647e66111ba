import { wordClass, type FunctionRisk } from './keywords';
import { fingerprintOf, type SqlToken, type TokenStream } from './fingerprint';

/**
 * The decision: does the token stream, read from the place where the user's value enters the query,
 * continue the query into SQL structure? A recursive-descent parser for the continuations an
 * injection can take (libinjection's idea, written as a grammar instead of a list of fingerprints):
 *
 *   injection  := entry tail
 *   entry      := breakout-string        (quote contexts: the value closes the app's literal)
 *               | operand                 (numeric context: `1`, `-1`, `@x`, `x`, `''`)
 *               | ε                       (the value starts with a tail token: `or 1=1`, `) union ...`)
 *   tail       := ( ')' | binop operand | postfix | ',' expr | UNION select | clause | ';' statement?
 *               | statement )* terminator
 *   terminator := end | comment | NUL | an unclosed string of the context's quote (the app closes it)
 *
 * While parsing it records signals (a tautology after OR, UNION SELECT, a stacked statement, a
 * time/error/exec function, a catalog object...) and `score` turns entry kind + signals into a
 * confidence. A parse that stops at an unexpected token keeps what it saw but loses confidence,
 * which is what separates `Rock 'n' roll` and `1-2 days` from `admin' or 1=1--`.
 */

/** How the value enters the query. */
export type EntryKind =
  | 'quote' //     value closes a '...' or "..." literal
  | 'number' //    value starts with a number, NULL/TRUE, or @variable (numeric context)
  | 'string' //    value starts with a string literal (numeric context)
  | 'word' //      value starts with a name or function call
  | 'lead' //      value starts with a tail token: OR, AND, ), ',', ;, UNION, ORDER BY
  | 'compare' //   value starts with a comparison word (LIKE, RLIKE, IN, IS...): a fragment appended to an operand
  | 'statement'; // value is a statement: SELECT ..., EXEC ..., DROP TABLE ...

/** Operand strength: 0 a bare name, 1 a literal, 2 something only SQL does (known function, subquery, @@var). */
type Rank = 0 | 1 | 2;

interface Segment {
  cmp: boolean;
  /** A number, TRUE/FALSE/NULL, a string SQL reads as a number (`'1`), or arithmetic: a truth value by itself. */
  truthy: boolean;
  minRank: Rank;
  maxRank: Rank;
  operands: number;
}

export interface Signals {
  /** Best predicate after a logic operator: 0 none, 1 a bare literal, 2 comparison with names, 3 literal/SQL comparison. */
  logic: 0 | 1 | 2 | 3;
  /** The first operator right after the entry operand (`'='`, `'-'`, `'||'x'`). */
  leadOp: 'none' | 'cmp' | 'op';
  leadCmpLiteral: boolean;
  union: boolean;
  /** 1: a `;` after the entry; 2: a valid statement follows it (or follows without `;`, as MSSQL allows). */
  stacked: 0 | 1 | 2;
  statementDanger: boolean;
  destructive: boolean;
  clause: boolean;
  clauseLiteral: boolean;
  /** RISK_* bits of the dangerous functions and statements seen. */
  risk: number;
  system: boolean;
  subquery: boolean;
  comment: boolean;
  /** The comment's text contains the context quote (code like `$('#id')`, not `admin'#`). */
  commentQuoted: boolean;
  /** Only `)`s stand between the entry and a real comment (`admin'--`, `admin')#`); NUL does not count. */
  commentAfterEntry: boolean;
  /** Every operand next to the lead operator is a literal or SQL-only (`'-'`, `'||'a'||'`, not `'+x`). */
  leadOpLiteral: boolean;
  /** A SELECT with a FROM clause was parsed. */
  selectFrom: boolean;
  /** A `;` was seen at the top level. */
  semicolon: boolean;
  openString: boolean;
  clean: boolean;
  /** Tokens consumed by the parse (from the stream start). */
  end: number;
}

const MAX_DEPTH = 40;

export const RISK_TIME = 1;
export const RISK_ERROR = 2;
export const RISK_EXEC = 4;
export const RISK_INFO = 8;

function riskBit(r: FunctionRisk): number {
  return r === 'time' ? RISK_TIME : r === 'error' ? RISK_ERROR : r === 'exec' ? RISK_EXEC : r === 'info' ? RISK_INFO : 0;
}

const UNARY = new Set(['-', '+', '~', '!', 'NOT']);

/** Statements MSSQL runs after an expression without `;` (the other dialects need the `;`). */
const BARE_STATEMENTS = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DROP', 'CREATE', 'ALTER', 'TRUNCATE', 'EXEC', 'EXECUTE', 'DECLARE',
  'SET', 'WAITFOR', 'SHUTDOWN', 'GRANT', 'REVOKE', 'BACKUP', 'RESTORE', 'IF', 'BULK', 'DBCC', 'KILL', 'RECONFIGURE',
  'SP_EXECUTESQL', 'OPENROWSET', 'PRINT', 'RAISERROR', 'BEGIN', 'WITH',
]);

/** What GRANT/REVOKE hand out first (before ON/TO). */
const PRIVILEGES = new Set([
  'ALL', 'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'EXECUTE', 'EXEC', 'CREATE', 'ALTER', 'DROP', 'USAGE', 'REFERENCES',
  'CONNECT', 'FILE', 'PROCESS', 'SUPER', 'RELOAD', 'SHUTDOWN', 'CONTROL', 'IMPERSONATE', 'DBA', 'SYSDBA', 'TRIGGER',
  'INDEX', 'TEMPORARY', 'TEMP', 'TRUNCATE', 'REPLICATION', 'GRANT', 'PROXY', 'EVENT', 'LOCK', 'SYSADMIN', 'RESOURCE',
]);

const CREATE_OBJECTS = new Set([
  'TABLE', 'DATABASE', 'SCHEMA', 'USER', 'LOGIN', 'ROLE', 'VIEW', 'INDEX', 'PROCEDURE', 'PROC', 'FUNCTION',
  'TRIGGER', 'TEMPORARY', 'EVENT', 'SEQUENCE', 'ASSEMBLY', 'EXTENSION', 'SERVER', 'OR', 'UNIQUE', 'DEFINER', 'LIBRARY',
]);

/** Whether `s` from `from` on holds anything a signal needs: SQL punctuation or a logic/union/clause/statement word. */
function restMaySignal(s: string, from: number): boolean {
  let start = -1;
  for (let i = from; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0;
    if (c === 39 || c === 34 || c === 59 || c === 35 || c === 40 || c === 41 || c === 64 || c === 124 || c === 38 || c === 0) {
      if (i < s.length) return true;
    }
    const l = c | 32;
    if (l >= 97 && l <= 122) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start <= 9) {
        const cls = wordClass(s.slice(start, i).toUpperCase());
        if (cls === 'logic' || cls === 'union' || cls === 'clause' || cls === 'statement') return true;
      }
      start = -1;
    }
  }
  return false;
}

/**
 * Whether s[from, to) holds a C0 control other than the white space \t \n \v \f \r. The unclosed
 * string that the app's closing quote terminates is text the attacker typed (`' or 'a'='a`); one that
 * runs over binary bytes (a protobuf or image body read as text) is not a terminator.
 */
function hasBinaryControl(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 9 || (c > 13 && c < 32) || c === 127) && c !== 0) return true;
  }
  return false;
}

function freshSignals(): Signals {
  return {
    logic: 0,
    leadOp: 'none',
    leadCmpLiteral: false,
    union: false,
    stacked: 0,
    statementDanger: false,
    destructive: false,
    clause: false,
    clauseLiteral: false,
    risk: 0,
    system: false,
    subquery: false,
    comment: false,
    commentQuoted: false,
    commentAfterEntry: false,
    leadOpLiteral: false,
    selectFrom: false,
    semicolon: false,
    openString: false,
    clean: false,
    end: 0,
  };
}

export class SqlParser {
  private p = 0;
  private depth = 0;
  /** Parsing a statement that follows an expression without `;` (MSSQL style). */
  private bare = false;
  private inTail = false;
  sig: Signals = freshSignals();

  private ts!: TokenStream;
  /** The context quote (`'` or `"`) or '' for numeric contexts. */
  private quote = '';

  /** Prepares the parser for another stream (one parser is reused: detection is synchronous). */
  reset(ts: TokenStream, quote: string): this {
    this.ts = ts;
    this.quote = quote;
    this.p = 0;
    this.depth = 0;
    this.inTail = false;
    this.bare = false;
    this.entrySegment = null;
    this.lastSelectStrong = false;
    this.sig = freshSignals();
    return this;
  }

  private peek(k = 0): SqlToken | undefined {
    return this.ts.at(this.p + k);
  }

  private isWord(t: SqlToken | undefined, ...words: string[]): boolean {
    return t !== undefined && (t.cls === 'n' || t.cls === 'k' || t.cls === 'E' || t.cls === 'B' || t.cls === '1' || t.cls === '&') && words.indexOf(t.text) >= 0;
  }

  /** End of input, or a terminating comment: the app's own SQL (or nothing) follows. */
  private atEnd(): boolean {
    const t = this.peek();
    return t === undefined || t.cls === 'c';
  }

  // ---------------------------------------------------------------- entry points

  /** Parses the tail after an entry operand that is already token 0 (quote contexts) or parses the entry first. */
  parseInjection(entry: EntryKind): Signals {
    if (entry === 'quote') {
      this.p = 1;
    } else if (entry === 'statement') {
      if (!this.statement()) return this.done();
      this.inTail = true;
      this.tail(entry);
      return this.done();
    } else if (entry !== 'lead' && entry !== 'compare') {
      const seg = this.newSegment();
      if (!this.operand(seg)) return this.done();
      this.entrySegment = seg;
    }
    this.inTail = true;
    this.tail(entry);
    return this.done();
  }

  private entrySegment: Segment | null = null;
  /** The last SELECT parsed had a list that only SQL writes (literals, functions, several items). */
  private lastSelectStrong = false;

  private done(): Signals {
    this.sig.end = this.p;
    const last = this.ts.at(this.p - 1);
    if (last !== undefined && last.cls === 's' && !last.closed && last.quote === this.quote && this.quote !== '' && this.p > 1) {
      this.sig.openString = this.ts.at(this.p) === undefined && !hasBinaryControl(this.ts.source, last.start + 1, last.end);
    }
    return this.sig;
  }

  /** The top-level continuation loop. */
  private tail(entry: EntryKind): void {
    let seg: Segment = this.entrySegment ?? this.newSegment();
    if (entry === 'quote') {
      seg.operands = 1;
      seg.minRank = 1;
      seg.maxRank = 1;
    }
    // A lead value starts with a tail token: after `OR`/`AND` the '&' case below opens a predicate
    // segment; a value that starts with a comparison word (`LIKE 'a%'`, `Is 2 < 3`) only continues the
    // app's own comparison, which is no truth value of the attacker's until a logic operator follows.
    let afterLogic = false;
    const entrySeg = seg;
    for (let guard = 0; guard < 10_000; guard++) {
      const t = this.peek();
      if (t === undefined || t.cls === 'c') {
        this.closeSegment(seg, afterLogic);
        this.finishTail();
        return;
      }
      switch (t.cls) {
        case ')':
          this.p += 1;
          break;
        case '&': {
          this.closeSegment(seg, afterLogic);
          this.p += 1;
          seg = this.newSegment();
          // `'||'x'||'`: string concatenation after a breakout (PostgreSQL/Oracle) is structure by itself
          if (t.text === '||') seg.truthy = true;
          afterLogic = true;
          if (!this.operand(seg)) return this.closeSegment(seg, afterLogic);
          break;
        }
        case 'o': {
          const lead = seg === entrySeg && entry !== 'lead';
          if (lead && this.sig.leadOp !== 'cmp') this.sig.leadOp = t.cmp ? 'cmp' : 'op';
          if (!this.binopOrPostfix(seg)) return this.closeSegment(seg, afterLogic);
          if (lead && this.sig.leadOp === 'cmp' && seg.minRank >= 1) this.sig.leadCmpLiteral = true;
          if (lead) this.sig.leadOpLiteral = seg.minRank >= 1;
          break;
        }
        case '!': {
          // `NOT` after an operand only makes sense before a comparison word (folded already) -> invalid
          return this.closeSegment(seg, afterLogic);
        }
        case ',': {
          // continuing a list (INSERT values, ORDER BY columns, function arguments)
          this.p += 1;
          this.closeSegment(seg, afterLogic);
          seg = this.newSegment();
          afterLogic = false;
          if (!this.operand(seg)) return this.closeSegment(seg, afterLogic);
          break;
        }
        case 'U':
          this.closeSegment(seg, afterLogic);
          if (!this.union()) return;
          seg = this.newSegment();
          afterLogic = false;
          break;
        case 'B':
          this.closeSegment(seg, afterLogic);
          if (!this.clauses()) return;
          seg = this.newSegment();
          afterLogic = false;
          break;
        case ';': {
          this.closeSegment(seg, afterLogic);
          this.p += 1;
          this.sig.semicolon = true;
          if (this.sig.stacked < 1) this.sig.stacked = 1;
          while (this.peek()?.cls === ';') this.p += 1;
          if (this.atEnd()) break;
          if (this.peek()?.cls !== 'E') return;
          if (!this.statement()) return;
          seg = this.newSegment();
          afterLogic = false;
          break;
        }
        case 'E': {
          // MSSQL runs `... WHERE id=1 exec xp_cmdshell '...'` and `' waitfor delay '0:0:5'` without `;`
          this.closeSegment(seg, afterLogic);
          if (!BARE_STATEMENTS.has(t.text)) return;
          this.bare = true;
          const ok = this.statement();
          this.bare = false;
          if (!ok) return;
          seg = this.newSegment();
          afterLogic = false;
          break;
        }
        case 's': {
          // `'x' 'y'` is folded; a string right after an operand is an alias or garbage
          return this.closeSegment(seg, afterLogic);
        }
        default:
          return this.closeSegment(seg, afterLogic);
      }
      // a long run of arithmetic with nothing SQL-specific (base64, dates, maths) is not an injection,
      // unless SQL punctuation or words still lie ahead (`1*1*1*...*1 or 1=1` padding)
      if (this.p === 24 && !this.hasSignal(seg)) {
        const next = this.peek();
        if (next === undefined || !restMaySignal(this.ts.source, next.start)) return;
      }
    }
  }

  private hasSignal(seg: Segment): boolean {
    const g = this.sig;
    return g.logic > 0 || seg.cmp || g.union || g.stacked > 0 || g.clause || g.risk !== 0 || g.system || g.subquery || g.leadOp !== 'none';
  }

  private finishTail(): void {
    const t = this.peek();
    if (t !== undefined && t.cls === 'c') {
      this.sig.comment = true;
      let k = this.p - 1;
      while (k > 0 && this.ts.at(k)?.cls === ')') k -= 1;
      this.sig.commentAfterEntry = k === 0 && t.text !== 'nul';
      if (this.quote !== '' && (t.body ?? '').indexOf(this.quote) >= 0) this.sig.commentQuoted = true;
      this.p += 1;
    }
    this.sig.clean = this.peek() === undefined;
  }

  // ---------------------------------------------------------------- expressions

  private newSegment(): Segment {
    return { cmp: false, truthy: false, minRank: 2, maxRank: 0, operands: 0 };
  }

  private closeSegment(seg: Segment, afterLogic: boolean): void {
    if (!afterLogic || seg.operands === 0) return;
    let strength: 0 | 1 | 2 | 3 = 0;
    if (seg.maxRank === 2) strength = seg.cmp ? 3 : 1;
    else if (seg.cmp) strength = seg.minRank >= 1 ? 3 : 2;
    else if (seg.minRank >= 1 && seg.truthy) strength = 1;
    if (strength > this.sig.logic) this.sig.logic = strength;
  }

  private addOperand(seg: Segment, rank: Rank): void {
    seg.operands += 1;
    if (rank < seg.minRank) seg.minRank = rank;
    if (rank > seg.maxRank) seg.maxRank = rank;
  }

  /** A binary operator and its right operand, or a postfix predicate (IS NULL, IN (...), BETWEEN a AND b). */
  private binopOrPostfix(seg: Segment): boolean {
    const t = this.peek()!;
    this.p += 1;
    if (t.cmp) seg.cmp = true;
    else seg.truthy = true;
    const op = t.text;
    if (op === 'IS' || op === 'IS NOT') {
      const v = this.peek();
      if (v !== undefined && (v.cls === '1' || (v.cls === 'n' && (v.text === 'DISTINCT' || v.text === 'UNKNOWN')))) {
        this.p += 1;
        if (v.text === 'DISTINCT' && this.isWord(this.peek(), 'FROM')) {
          this.p += 1;
          return this.operand(seg);
        }
        this.addOperand(seg, 1);
        return true;
      }
      return this.operand(seg);
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (this.peek()?.cls !== '(') return this.operand(seg);
      return this.operand(seg); // a parenthesised list or subquery
    }
    if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
      if (!this.operand(seg)) return false;
      const a = this.peek();
      if (a === undefined || a.cls !== '&' || a.text !== 'AND') return this.atEnd();
      this.p += 1;
      return this.operand(seg);
    }
    if (op === 'COLLATE') {
      const c = this.peek();
      if (c !== undefined && (c.cls === 'n' || c.cls === 's')) {
        this.p += 1;
        return true;
      }
      return false;
    }
    if (op === '::') {
      // PostgreSQL cast: the type is a name, maybe with (n)
      const c = this.peek();
      if (c === undefined || (c.cls !== 'n' && c.cls !== 'f' && c.cls !== 'k')) return false;
      if (c.cls === 'f') return this.operand(this.newSegment());
      this.p += 1;
      return true;
    }
    if (op === '.') return false;
    return this.operand(seg);
  }

  /** expr := operand (binop operand | postfix)*, inside parentheses, argument lists and statements. */
  private expr(seg: Segment): boolean {
    if (!this.operand(seg)) return false;
    for (let guard = 0; guard < 10_000; guard++) {
      const t = this.peek();
      if (t === undefined) return true;
      if (t.cls === 'o') {
        if (!this.binopOrPostfix(seg)) return false;
        continue;
      }
      if (t.cls === '&') {
        this.p += 1;
        if (!this.operand(seg)) return false;
        continue;
      }
      return true;
    }
    return true;
  }

  /** operand := unary* (literal | name | variable | function call | '(' expr-list | select ')' | CASE ... END) */
  private operand(seg: Segment): boolean {
    if (this.depth > MAX_DEPTH) return false;
    let t = this.peek();
    while (t !== undefined && ((t.cls === 'o' && UNARY.has(t.text)) || t.cls === '!')) {
      this.p += 1;
      t = this.peek();
    }
    if (t === undefined) return false;
    switch (t.cls) {
      case '1':
        this.p += 1;
        seg.truthy = true;
        this.addOperand(seg, 1);
        return true;
      case 's': {
        this.p += 1;
        // MySQL reads '1abc' as 1: a string starting with a digit is a truth value on its own ('' OR '1)
        const first = this.ts.source.charCodeAt(t.start + (t.start === 0 && this.quote !== '' ? 0 : 1));
        if (first >= 48 && first <= 57) seg.truthy = true;
        this.addOperand(seg, 1);
        return true;
      }
      case 'v':
        this.p += 1;
        if (t.text.startsWith('@@')) this.sig.system = true;
        this.addOperand(seg, t.text.startsWith('@@') ? 2 : 1);
        return true;
      case 'n':
        this.p += 1;
        if (t.system) this.sig.system = true;
        this.addOperand(seg, t.system ? 2 : 0);
        return true;
      case 'o':
        if (t.text === '*') {
          this.p += 1;
          this.addOperand(seg, 0);
          return true;
        }
        return false;
      case 'f':
        return this.call(seg);
      case '(':
        return this.parenthesized(seg);
      case 'k':
        if (t.text === 'CASE') return this.caseExpr(seg);
        if (t.text === 'BINARY' || t.text === 'INTERVAL' || t.text === 'DISTINCT' || t.text === 'ALL') {
          this.p += 1;
          return this.operand(seg);
        }
        return false;
      case 'E':
        // words that start statements elsewhere are column names here (`user`, `set`, `show`...)
        if (t.text === 'SELECT' || t.text === 'WITH' || t.text === 'VALUES') return false;
        if (this.inTail && this.peek(1)?.cls === 'o') {
          this.p += 1;
          this.addOperand(seg, 0);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  private enter(): boolean {
    this.depth += 1;
    return this.depth <= MAX_DEPTH;
  }

  /** `(` expr-list `)` or `(` select `)`; the closing paren may be left to the app (end of input). */
  private parenthesized(seg: Segment): boolean {
    if (!this.enter()) return false;
    this.p += 1;
    try {
      const t = this.peek();
      if (t === undefined || t.cls === 'c') {
        this.addOperand(seg, 1);
        return true;
      }
      if (t.cls === 'E' && (t.text === 'SELECT' || t.text === 'WITH' || t.text === 'VALUES')) {
        this.sig.subquery = true;
        if (!this.select()) return false;
        this.addOperand(seg, 2);
      } else if (t.cls === 'U') {
        // `(UNION ALL SELECT ...)`: nonsense SQL but a probe nobody types by accident
        if (!this.union()) return false;
        this.addOperand(seg, 2);
      } else {
        const inner = this.newSegment();
        if (!this.exprList(inner)) return false;
        if (inner.cmp && inner.maxRank === 2) this.addOperand(seg, 2);
        else if (inner.cmp && inner.minRank >= 1) {
          // a literal comparison in parentheses is a tautology/contradiction: counts as a literal truth value
          seg.cmp = true;
          this.addOperand(seg, 1);
        } else if (inner.cmp) {
          seg.cmp = true;
          this.addOperand(seg, 0);
        } else this.addOperand(seg, inner.operands === 0 ? 1 : inner.maxRank === 2 ? 2 : inner.minRank);
      }
      return this.closeParen();
    } finally {
      this.depth -= 1;
    }
  }

  /** Consumes `)`; the end of input (or a comment) is accepted: the app's own query supplies it. */
  private closeParen(): boolean {
    const t = this.peek();
    if (t === undefined || t.cls === 'c') return true;
    if (t.cls === ')') {
      this.p += 1;
      return true;
    }
    return false;
  }

  private exprList(seg: Segment): boolean {
    if (!this.expr(seg)) return false;
    while (this.peek()?.cls === ',') {
      this.p += 1;
      if (this.peek()?.cls === 'E' && this.peek()?.text === 'SELECT') {
        if (!this.select()) return false;
        continue;
      }
      if (!this.expr(seg)) return false;
    }
    return true;
  }

  /** name ( args ) — arguments may hold subqueries; a known function with unparsable arguments is skipped leniently. */
  private call(seg: Segment): boolean {
    const f = this.peek()!;
    this.p += 1;
    if (this.peek()?.cls !== '(') return false;
    if (!this.enter()) return false;
    const start = this.p;
    this.p += 1;
    let ok = true;
    try {
      const t = this.peek();
      if (t !== undefined && t.cls === ')') {
        this.p += 1;
      } else if (t === undefined || t.cls === 'c') {
        // f( at the end: the app closes it
      } else {
        const inner = this.newSegment();
        let argsOk: boolean;
        if (t.cls === 'E' && (t.text === 'SELECT' || t.text === 'WITH')) {
          this.sig.subquery = true;
          argsOk = this.select();
        } else argsOk = this.exprList(inner);
        // CAST(x AS type) / CONVERT(x USING utf8) / EXTRACT(x FROM y) / TRIM(x FROM y)
        while (argsOk && this.peek()?.cls === 'k' && (this.peek()!.text === 'AS' || this.peek()!.text === 'FROM')) {
          this.p += 1;
          argsOk = this.expr(this.newSegment());
        }
        if (argsOk) argsOk = this.closeParen();
        if (!argsOk) {
          if (f.risk === undefined) return (ok = false);
          ok = this.skipBalanced(start);
          if (!ok) return false;
          this.addOperand(seg, 2);
          return true;
        }
      }
    } finally {
      this.depth -= 1;
    }
    if (f.risk !== undefined) {
      this.sig.risk |= riskBit(f.risk);
      this.addOperand(seg, 2);
    } else {
      this.addOperand(seg, 0);
    }
    return ok;
  }

  /** Skips from the `(` at `open` to its matching `)` (or the end). */
  private skipBalanced(open: number): boolean {
    this.p = open;
    let level = 0;
    for (let guard = 0; guard < 4096; guard++) {
      const t = this.peek();
      if (t === undefined || t.cls === 'c') return true;
      this.p += 1;
      if (t.cls === '(') level += 1;
      else if (t.cls === ')') {
        level -= 1;
        if (level === 0) return true;
      }
    }
    return false;
  }

  private caseExpr(seg: Segment): boolean {
    this.p += 1;
    if (!this.enter()) return false;
    try {
      const inner = this.newSegment();
      if (!this.isWord(this.peek(), 'WHEN') && !this.expr(inner)) return false;
      let whens = 0;
      while (this.isWord(this.peek(), 'WHEN')) {
        this.p += 1;
        if (!this.expr(inner)) return false;
        if (!this.isWord(this.peek(), 'THEN')) return false;
        this.p += 1;
        if (!this.expr(inner)) return false;
        whens += 1;
      }
      if (whens === 0) return false;
      if (this.isWord(this.peek(), 'ELSE')) {
        this.p += 1;
        if (!this.expr(inner)) return false;
      }
      if (this.isWord(this.peek(), 'END')) this.p += 1;
      else if (!this.atEnd()) return false;
      this.addOperand(seg, 2);
      return true;
    } finally {
      this.depth -= 1;
    }
  }

  // ---------------------------------------------------------------- statements

  /** UNION [ALL] ( select | (select) ); also accepts the broken `UNION ALL SELECTCHAR(..)` probes. */
  private union(): boolean {
    this.p += 1;
    let t = this.peek();
    let parens = 0;
    while (t !== undefined && t.cls === '(' && parens < 8) {
      this.p += 1;
      parens += 1;
      t = this.peek();
    }
    if (t === undefined) return false;
    if (t.cls === 'E' && (t.text === 'SELECT' || t.text === 'VALUES' || t.text === 'WITH')) {
      const ok = this.select();
      // UNION SELECT with a parsed select list is the signal, even if the rest breaks off
      if (ok || this.lastSelectStrong) this.sig.union = true;
      for (let i = 0; i < parens && this.peek()?.cls === ')'; i++) this.p += 1;
      return ok;
    }
    if (t.cls === 'f' && t.text.startsWith('SELECT')) {
      this.sig.union = true;
      return this.operand(this.newSegment());
    }
    return false;
  }

  /** SELECT [DISTINCT|TOP n] items [FROM ...] [WHERE ...] [GROUP BY ...] [ORDER BY ...] [LIMIT ...] [UNION ...]. */
  private select(): boolean {
    if (!this.enter()) return false;
    try {
      const kw = this.peek()!;
      this.p += 1;
      if (kw.text === 'VALUES') return this.exprList(this.newSegment());
      if (kw.text === 'WITH') return false;
      while (this.isWord(this.peek(), 'DISTINCT', 'ALL', 'DISTINCTROW', 'SQL_CALC_FOUND_ROWS', 'SQL_NO_CACHE', 'HIGH_PRIORITY')) this.p += 1;
      if (this.isWord(this.peek(), 'TOP')) {
        this.p += 1;
        if (!this.operand(this.newSegment())) return false;
      }
      let items = 0;
      let strongItem = false;
      this.lastSelectStrong = false;
      for (;;) {
        const seg = this.newSegment();
        if (!this.expr(seg)) return items > 0 && this.atEnd();
        items += 1;
        if (seg.minRank >= 1 || seg.maxRank === 2) strongItem = true;
        if (strongItem || items > 1) this.lastSelectStrong = true;
        // alias: AS name | name | 'string'
        if (this.isWord(this.peek(), 'AS')) this.p += 1;
        const a = this.peek();
        if (a !== undefined && (a.cls === 'n' || (a.cls === 's' && a.closed))) this.p += 1;
        if (this.peek()?.cls !== ',') break;
        this.p += 1;
      }
      let from = false;
      if (this.isWord(this.peek(), 'FROM')) {
        this.p += 1;
        from = true;
        this.sig.selectFrom = true;
        if (!this.tableRefs()) return false;
      }
      if (this.isWord(this.peek(), 'WHERE')) {
        this.p += 1;
        if (!this.expr(this.newSegment())) return false;
      }
      const clauseStart = this.p;
      if (this.peek()?.cls === 'B' && !this.clauses()) return false;
      const hadClause = this.p > clauseStart;
      if (this.peek()?.cls === 'U') {
        if (!this.union()) return false;
        return true;
      }
      // a lone `SELECT name` (as in the prose "select a size") is not enough
      return strongItem || from || items > 1 || hadClause || this.atEnd() && this.peek()?.cls === 'c' || this.peek()?.cls === ';' || this.peek()?.cls === ')';
    } finally {
      this.depth -= 1;
    }
  }

  private tableRefs(): boolean {
    for (let guard = 0; guard < 64; guard++) {
      const t = this.peek();
      if (t === undefined) return true;
      if (t.cls === 'n') {
        this.p += 1;
        if (t.system) this.sig.system = true;
      } else if (t.cls === '(') {
        if (!this.parenthesized(this.newSegment())) return false;
      } else if (t.cls === 'f') {
        if (!this.call(this.newSegment())) return false;
      } else return false;
      if (this.isWord(this.peek(), 'AS')) this.p += 1;
      if (this.peek()?.cls === 'n' && !this.isWord(this.peek(), 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'CROSS', 'NATURAL', 'FULL')) this.p += 1;
      while (this.isWord(this.peek(), 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'CROSS', 'NATURAL', 'FULL')) this.p += 1;
      if (this.isWord(this.peek(), 'JOIN')) {
        this.p += 1;
        continue;
      }
      if (this.isWord(this.peek(), 'ON')) {
        this.p += 1;
        if (!this.expr(this.newSegment())) return false;
        if (this.isWord(this.peek(), 'LEFT', 'RIGHT', 'INNER', 'JOIN', 'CROSS')) continue;
      }
      if (this.peek()?.cls !== ',') return true;
      this.p += 1;
    }
    return false;
  }

  /** ORDER BY / GROUP BY / HAVING / LIMIT / OFFSET / INTO / PROCEDURE / FOR clauses, in any order. */
  private clauses(): boolean {
    for (let guard = 0; guard < 16; guard++) {
      const t = this.peek();
      if (t === undefined || t.cls !== 'B') return true;
      this.p += 1;
      if (this.inTail) this.sig.clause = true;
      switch (t.text) {
        case 'ORDER BY':
        case 'GROUP BY': {
          for (;;) {
            const seg = this.newSegment();
            const before = this.p;
            if (!this.expr(seg)) {
              // `GROUP BY 1,2,--` leaves a trailing comma
              return this.p === before && this.atEnd();
            }
            if (seg.minRank >= 1 || seg.maxRank === 2) this.sig.clauseLiteral = this.sig.clauseLiteral || this.inTail;
            if (this.isWord(this.peek(), 'ASC', 'DESC')) this.p += 1;
            if (this.peek()?.cls !== ',') break;
            this.p += 1;
          }
          if (this.isWord(this.peek(), 'WITH')) {
            this.p += 1;
            if (this.isWord(this.peek(), 'ROLLUP')) this.p += 1;
          }
          break;
        }
        case 'HAVING':
          if (!this.expr(this.newSegment())) return false;
          this.sig.clauseLiteral = this.sig.clauseLiteral || this.inTail;
          break;
        case 'LIMIT':
        case 'OFFSET': {
          if (!this.operand(this.newSegment())) return false;
          if (this.peek()?.cls === ',' || this.isWord(this.peek(), 'OFFSET')) {
            this.p += 1;
            if (!this.operand(this.newSegment())) return false;
          }
          if (this.isWord(this.peek(), 'ROWS', 'ROW')) this.p += 1;
          this.sig.clauseLiteral = this.sig.clauseLiteral || this.inTail;
          break;
        }
        case 'INTO': {
          const w = this.peek();
          if (this.isWord(w, 'OUTFILE', 'DUMPFILE')) {
            this.p += 1;
            this.sig.risk |= RISK_EXEC;
            if (this.peek()?.cls !== 's') return false;
            this.p += 1;
            break;
          }
          for (;;) {
            const v = this.peek();
            if (v === undefined || (v.cls !== 'v' && v.cls !== 'n')) return false;
            this.p += 1;
            if (this.peek()?.cls !== ',') break;
            this.p += 1;
          }
          break;
        }
        case 'PROCEDURE':
          if (this.peek()?.cls !== 'f') return false;
          if (!this.call(this.newSegment())) return false;
          this.sig.clauseLiteral = this.sig.clauseLiteral || this.inTail;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  /** One statement (stacked after `;`, following an expression in MSSQL style, or the whole value). */
  private statement(): boolean {
    const t = this.peek();
    if (t === undefined || t.cls !== 'E') return false;
    const ok = this.statementBody(t.text);
    if (ok && this.sig.stacked < 2) this.sig.stacked = 2;
    return ok;
  }

  private statementBody(kw: string): boolean {
    const next = this.peek(1);
    const nextText = next?.text ?? '';
    const danger = (): void => {
      this.sig.statementDanger = true;
    };
    switch (kw) {
      case 'SELECT':
      case 'WITH':
        return this.select();
      case 'INSERT':
      case 'REPLACE':
      case 'UPSERT':
      case 'MERGE': {
        this.p += 1;
        if (this.isWord(this.peek(), 'INTO', 'IGNORE')) this.p += 1;
        else if (kw !== 'INSERT') return false;
        if (!this.consumeName()) return false;
        if (this.peek()?.cls === '(' && !this.parenthesized(this.newSegment())) return false;
        const v = this.peek();
        let ok = false;
        if (v?.cls === 'E' && (v.text === 'VALUES' || v.text === 'SELECT')) ok = this.select();
        else if (v?.cls === 'f' && v.text === 'VALUES') ok = this.call(this.newSegment());
        else if (v?.cls === 'E' && v.text === 'SET') {
          this.p += 1;
          ok = this.expr(this.newSegment());
        }
        if (ok) this.sig.destructive = true;
        return ok;
      }
      case 'UPDATE': {
        this.p += 1;
        if (!this.consumeName()) return false;
        if (!(this.peek()?.cls === 'E' && this.peek()!.text === 'SET')) return false;
        this.p += 1;
        this.sig.destructive = true;
        return this.exprList(this.newSegment());
      }
      case 'DELETE': {
        this.p += 1;
        if (!this.isWord(this.peek(), 'FROM')) return false;
        this.p += 1;
        if (!this.consumeName()) return false;
        this.sig.destructive = true;
        if (this.isWord(this.peek(), 'WHERE')) {
          this.p += 1;
          return this.expr(this.newSegment());
        }
        return true;
      }
      case 'DROP':
      case 'CREATE':
      case 'ALTER':
      case 'TRUNCATE':
      case 'RENAME': {
        this.p += 1;
        const obj = this.peek();
        if (obj === undefined) return false;
        if (kw === 'TRUNCATE' && obj.cls === 'n' && obj.text !== 'TABLE') {
          this.p += 1;
          this.sig.destructive = true;
          return true;
        }
        if (!CREATE_OBJECTS.has(obj.text)) return false;
        this.p += 1;
        while (this.peek() !== undefined && (this.isWord(this.peek(), 'TABLE', 'IF', 'NOT', 'EXISTS', 'REPLACE', 'PROCEDURE', 'FUNCTION', 'VIEW') || this.peek()!.cls === '!')) this.p += 1;
        if (!this.consumeName()) return false;
        this.sig.destructive = true;
        if (obj.text === 'USER' || obj.text === 'LOGIN' || obj.text === 'ROLE' || obj.text === 'FUNCTION' || obj.text === 'PROCEDURE' || obj.text === 'TRIGGER' || obj.text === 'ASSEMBLY' || obj.text === 'LIBRARY' || obj.text === 'EXTENSION') danger();
        this.skipRest();
        return true;
      }
      case 'EXEC':
      case 'EXECUTE':
      case 'CALL': {
        this.p += 1;
        const target = this.peek();
        if (target === undefined) return false;
        if (target.cls === 'v') {
          // EXEC @sql / EXECUTE @s='...'
          this.p += 1;
          danger();
          this.skipRest();
          return true;
        }
        if (target.cls === '(') {
          danger();
          return this.parenthesized(this.newSegment());
        }
        if (target.cls === 'n' || target.cls === 'f' || target.cls === 'E') {
          const name = target.text;
          const dangerous = /(^|\.)(XP|SP)_/.test(name) || name.startsWith('MASTER.');
          if (dangerous) danger();
          // without `;` only a system procedure is telling: `Please execute the plan` parses as EXEC too
          else if (this.bare) return false;
          this.p += 1;
          if (target.cls === 'f' && !this.skipBalanced(this.p)) return false;
          if (target.cls === 'n' || target.cls === 'E') {
            // EXEC proc 'arg', @x = 1, ...
            const a = this.peek();
            if (a !== undefined && a.cls !== 'c' && a.cls !== ';' && !this.exprList(this.newSegment())) return false;
          }
          if (kw !== 'CALL' || target.cls === 'f') return true;
          return false;
        }
        return false;
      }
      case 'DECLARE': {
        this.p += 1;
        if (this.peek()?.cls !== 'v') return false;
        this.p += 1;
        danger();
        this.skipRest();
        return true;
      }
      case 'SET': {
        this.p += 1;
        const v = this.peek();
        if (v === undefined || v.cls !== 'v') return false;
        this.p += 1;
        if (this.peek()?.cls !== 'o') return false;
        return this.expr(this.newSegment()) || true;
      }
      case 'WAITFOR': {
        this.p += 1;
        if (!this.isWord(this.peek(), 'DELAY', 'TIME')) return false;
        this.p += 1;
        const d = this.peek();
        if (d === undefined || (d.cls !== 's' && d.cls !== 'v' && d.cls !== '1')) return false;
        this.p += 1;
        this.sig.risk |= RISK_TIME;
        return true;
      }
      case 'SHUTDOWN': {
        this.p += 1;
        if (this.isWord(this.peek(), 'WITH')) {
          this.p += 1;
          if (this.isWord(this.peek(), 'NOWAIT')) this.p += 1;
        }
        danger();
        return this.atEnd() || this.peek()?.cls === ';';
      }
      case 'GRANT':
      case 'REVOKE': {
        const start = this.p;
        this.p += 1;
        // a privilege or ON must come first: `Grant access to user bob` is prose
        const priv = this.peek();
        if (priv === undefined || (!PRIVILEGES.has(priv.text) && !this.isWord(priv, 'ON'))) {
          this.p = start;
          return false;
        }
        for (let guard = 0; guard < 32 && !this.atEnd(); guard++) {
          if (this.isWord(this.peek(), 'TO', 'FROM')) {
            this.p += 1;
            danger();
            this.skipRest();
            return true;
          }
          this.p += 1;
        }
        this.p = start;
        return false;
      }
      case 'COPY': {
        this.p += 1;
        if (!this.consumeName()) return false;
        if (this.peek()?.cls === '(' && !this.parenthesized(this.newSegment())) return false;
        if (!this.isWord(this.peek(), 'FROM', 'TO')) return false;
        this.p += 1;
        if (this.isWord(this.peek(), 'PROGRAM', 'STDIN', 'STDOUT')) this.p += 1;
        this.sig.risk |= RISK_EXEC;
        this.skipRest();
        return true;
      }
      case 'LOAD': {
        this.p += 1;
        if (!this.isWord(this.peek(), 'DATA', 'XML')) return false;
        this.p += 1;
        if (this.isWord(this.peek(), 'LOCAL', 'LOW_PRIORITY', 'CONCURRENT')) this.p += 1;
        if (!this.isWord(this.peek(), 'INFILE')) return false;
        this.sig.risk |= RISK_EXEC;
        this.skipRest();
        return true;
      }
      case 'BACKUP':
      case 'RESTORE': {
        this.p += 1;
        if (!this.isWord(this.peek(), 'DATABASE', 'LOG')) return false;
        this.p += 1;
        if (!this.consumeName()) return false;
        if (!this.isWord(this.peek(), 'TO', 'FROM')) return false;
        danger();
        this.skipRest();
        return true;
      }
      case 'ATTACH': {
        this.p += 1;
        if (this.isWord(this.peek(), 'DATABASE')) this.p += 1;
        if (this.peek()?.cls !== 's') return false;
        this.p += 1;
        if (!this.isWord(this.peek(), 'AS')) return false;
        this.sig.risk |= RISK_EXEC;
        this.skipRest();
        return true;
      }
      case 'DO': {
        this.p += 1;
        if (this.peek()?.cls !== 'f') return false;
        return this.expr(this.newSegment());
      }
      case 'SHOW': {
        this.p += 1;
        if (!this.isWord(this.peek(), 'TABLES', 'DATABASES', 'GRANTS', 'VARIABLES', 'PROCESSLIST', 'SCHEMAS', 'COLUMNS', 'STATUS', 'USERS')) return false;
        this.p += 1;
        // `SHOW TABLES [FROM db] [LIKE 'x' | WHERE ...]`; prose (`Show tables please`) goes on otherwise
        const rest = this.peek();
        if (!(this.atEnd() || rest?.cls === ';' || this.isWord(rest, 'FROM', 'IN', 'WHERE', 'FOR') || (rest?.cls === 'o' && rest.text === 'LIKE'))) return false;
        this.sig.system = true;
        this.skipRest();
        return true;
      }
      case 'IF': {
        // MSSQL: IF (cond) SELECT ... ELSE ...
        this.p += 1;
        if (!this.expr(this.newSegment())) return false;
        const s = this.peek();
        if (s?.cls !== 'E') return false;
        if (!this.statementBody(s.text)) return false;
        if (this.isWord(this.peek(), 'ELSE')) {
          this.p += 1;
          const e = this.peek();
          if (e?.cls === 'E') return this.statementBody(e.text);
        }
        return true;
      }
      case 'BULK':
      case 'DBCC':
      case 'KILL':
      case 'RECONFIGURE':
      case 'SP_EXECUTESQL': {
        if (kw === 'BULK' && !this.isWord(next, 'INSERT')) return false;
        if (kw === 'KILL' && next?.cls !== '1') return false;
        if (kw === 'KILL') {
          // KILL <id> ends the statement (`Kill 3 birds` does not)
          const after = this.peek(2);
          if (after !== undefined && after.cls !== ';' && after.cls !== 'c') return false;
        }
        if (kw === 'DBCC' && next?.cls !== 'n') return false;
        this.p += 1;
        danger();
        this.skipRest();
        return nextText !== '' || kw === 'RECONFIGURE';
      }
      default:
        return false;
    }
  }

  private consumeName(): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    if (t.cls === 'n' || t.cls === 'v') {
      this.p += 1;
      if (t.system) this.sig.system = true;
      return true;
    }
    if (t.cls === 'f') {
      // `insert into users(login, password)` folds the table name into a call
      this.p += 1;
      return true;
    }
    return false;
  }

  /** Skips to the next `;`, comment or end: the rest of a statement whose kind is already decided. */
  private skipRest(): void {
    for (let guard = 0; guard < 4096; guard++) {
      const t = this.peek();
      if (t === undefined || t.cls === 'c' || t.cls === ';') return;
      if (t.cls === 'f' && t.risk !== undefined) this.sig.risk |= riskBit(t.risk);
      if (t.cls === 'n' && t.system) this.sig.system = true;
      this.p += 1;
    }
  }

  /** Fingerprint of the parsed tokens, for `detail`. */
  fingerprint(): string {
    return fingerprintOf(this.ts, 0, Math.max(this.p, 1));
  }
}

export interface Score {
  confidence: number;
  rule: string;
}

/** Turns how the value entered and what followed into a confidence and a rule name. */
export function score(entry: EntryKind, sig: Signals): Score {
  const terminated = sig.comment || sig.openString;
  let best: Score = { confidence: 0, rule: '' };
  const offer = (confidence: number, rule: string): void => {
    if (confidence > best.confidence) best = { confidence, rule };
  };
  // a fragment that starts with a comparison word is judged like a value that starts with a name
  const by = (table: Partial<Record<EntryKind, number>>): number => table[entry === 'compare' ? 'word' : entry] ?? 0;

  if (sig.union) offer(by({ quote: 0.95, number: 0.95, string: 0.9, word: 0.8, lead: 0.95, statement: 0.9 }), 'union');
  if ((sig.risk & RISK_TIME) !== 0) offer(by({ quote: 0.95, number: 0.95, string: 0.9, word: 0.9, lead: 0.95, statement: 0.95 }), 'time');
  if ((sig.risk & RISK_EXEC) !== 0) offer(by({ quote: 0.95, number: 0.95, string: 0.9, word: 0.9, lead: 0.95, statement: 0.95 }), 'exec');
  if ((sig.risk & RISK_ERROR) !== 0) offer(by({ quote: 0.95, number: 0.9, string: 0.85, word: 0.8, lead: 0.9, statement: 0.9 }), 'error');
  if (sig.stacked === 2) {
    const stackedConf = by({ quote: 0.95, number: 0.9, string: 0.85, word: 0.85, lead: 0.9 });
    offer(sig.statementDanger || sig.destructive ? stackedConf : stackedConf - 0.05, 'stacked');
  }
  if (entry === 'statement' && sig.stacked === 2) {
    if (sig.statementDanger || sig.system || (sig.risk & ~RISK_INFO) !== 0) offer(0.9, 'statement:danger');
    // a lone statement (`DROP TABLE x`, `SELECT * FROM t`) is SQL, not yet an injection: a hint,
    // unless it is terminated the way injected statements are (`...;--`)
    else if (sig.destructive) offer(sig.comment || sig.stacked === 2 && sig.end > 0 && sig.semicolon ? 0.6 : 0.45, 'statement:ddl');
    else if (sig.selectFrom || sig.union) offer(0.45, 'statement');
  }
  if (sig.subquery) offer(by({ quote: 0.95, number: 0.9, string: 0.85, word: 0.75, lead: 0.9 }), 'subquery');
  if (sig.system) offer(by({ quote: 0.9, number: 0.9, string: 0.85, word: 0.7, lead: 0.85 }), 'catalog');
  if ((sig.risk & RISK_INFO) !== 0 && entry !== 'statement') offer(by({ quote: 0.85, number: 0.8, string: 0.7, word: 0.6, lead: 0.8 }), 'info');
  if (sig.logic === 3) offer(by({ quote: 0.95, number: 0.9, string: 0.85, word: 0.8, lead: 0.9 }), 'tautology');
  if (sig.logic === 2) offer(by({ quote: 0.85, number: 0.6, string: 0.6, word: 0.45, lead: 0.6 }), 'boolean');
  if (sig.logic === 1) offer(entry === 'quote' ? (terminated ? 0.85 : 0.6) : by({ number: 0.35, string: 0.3, word: 0.2, lead: 0.55 }), 'boolean:literal');
  if (sig.clause) {
    const c = by({ quote: 0.9, number: 0.85, string: 0.7, word: 0.5, lead: sig.clauseLiteral ? 0.6 : 0.45 });
    offer(sig.comment && entry === 'lead' ? c + 0.2 : c, 'clause');
  }
  if (entry === 'quote') {
    if (sig.leadCmpLiteral) offer(terminated ? 0.85 : 0.5, 'breakout:compare');
    else if (sig.leadOp !== 'none' && sig.leadOpLiteral) offer(terminated ? 0.7 : 0.3, 'breakout:operator');
    if (sig.stacked === 1) offer(sig.comment ? 0.8 : 0.5, 'breakout:semicolon');
    if (sig.commentAfterEntry && !sig.commentQuoted) offer(0.85, 'breakout:comment');
  }
  if (best.confidence > 0 && !sig.clean) best.confidence -= 0.15;
  if (best.confidence > 1) best.confidence = 1;
  return best;
}
