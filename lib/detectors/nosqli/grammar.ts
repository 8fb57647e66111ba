import { JsLexer, type JsToken } from './js-tokenizer';
import { SHELL_METHODS, operatorRisk } from './operators';

/**
 * Server-side JavaScript injection into MongoDB `$where` / mapReduce / `$function` strings, read the
 * way the SQL detector reads SQL: the value either closes the app's JS string (`'` or `"`) or starts
 * in a code position, and must then continue with JavaScript — an operator, `;` and a statement,
 * `,` and another object key — without two operands in a row (which is what prose looks like).
 *
 *   injection := entry tail
 *   entry     := breakout-string | operand | ε
 *   tail      := ( binop operand | ';' statement? | ',' (key ':')? operand | '}' | ')' | ']' )* end
 *   statement := return expr | var/let/const x = expr | while(...) | do {...} | for(...) | if(...) | throw x
 *              | function ... | expression (a call or assignment)
 */

export type JsEntry = 'quote' | 'operand' | 'lead';

export interface JsSignals {
  /** A statement only code has, after `;`/`{`: `return true`, `return 1==1`, a loop, `function(`. */
  statement: boolean;
  /** `var x =` after `;` (`";return(true);var xyz='a`): code, but only telling after a breakout. */
  declaration: boolean;
  /** `this.field` — the document being filtered. */
  thisAccess: boolean;
  /** `a == a`-style comparison of literals after `||` / `&&`. */
  tautology: boolean;
  /** A `$where:` / `$or:` object key in the continuation. */
  operatorKey: boolean;
  /** `db.collection.method(` or `db.method(`: Mongo shell. */
  shell: boolean;
  /** sleep(n) or a busy loop on Date: time-based blind injection. */
  delay: boolean;
  /** Parsed to the end (or to a comment) without an impossible token pair. */
  clean: boolean;
  /** Tokens consumed. */
  tokens: number;
  end: number;
}

/** Words that may be followed directly by an operand. */
const PREFIX_WORDS = new Set(['return', 'var', 'let', 'const', 'new', 'typeof', 'void', 'delete', 'throw', 'in', 'instanceof', 'case', 'do', 'else', 'yield', 'await']);
const LITERAL_WORDS = new Set(['true', 'false', 'null', 'undefined', 'NaN']);
const MAX_TOKENS = 200;

function isOperand(t: JsToken): boolean {
  return t.kind === 'ident' || t.kind === 'number' || t.kind === 'string' || t.kind === 'regex';
}

function isLiteral(t: JsToken | undefined): boolean {
  return t !== undefined && (t.kind === 'number' || t.kind === 'string' || (t.kind === 'ident' && LITERAL_WORDS.has(t.text)));
}

/**
 * Scans the continuation from `start` (just after the breakout, or the start of the value) and
 * records what JavaScript it holds. Bounded by MAX_TOKENS.
 */
export function scanJs(s: string, start: number, entry: JsEntry): JsSignals {
  const sig: JsSignals = { statement: false, declaration: false, thisAccess: false, tautology: false, operatorKey: false, shell: false, delay: false, clean: false, tokens: 0, end: start };
  // Peek at the first tokens before lexing the rest: most values fail the entry check right away.
  const lx = new JsLexer(s, start);
  const toks: JsToken[] = [];
  let ended = false;
  const pull = (upTo: number): void => {
    while (!ended && toks.length <= upTo && toks.length < MAX_TOKENS) {
      const t = lx.next();
      if (t === null) ended = true;
      else if (t.kind === 'comment' && t.text === '/*' && t.closed) continue; // whitespace to JS
      else if (t.kind === 'comment') {
        sig.clean = true;
        sig.end = t.start;
        ended = true;
      } else toks.push(t);
    }
  };
  pull(2);
  const firstIndex = entry === 'operand' ? 1 : 0;
  const firstText = toks[firstIndex]?.text;
  const firstKind = toks[firstIndex]?.kind;
  const functionEntry = entry === 'operand' && toks[0]?.text === 'function' && toks[1]?.text === '(';
  if (!functionEntry && (firstKind === undefined || !(firstKind === 'op' || firstText === ';' || firstText === ',' || firstText === '}' || firstText === ')' || firstText === ']' || firstText === '{'))) {
    return sig;
  }
  // the rest is lexed as the loop below reaches it: prose stops at its first two operands in a row
  let i = 0;
  if (entry === 'operand') {
    // a number, identifier, literal or dotted path starts the value
    if (toks.length === 0 || !isOperand(toks[0])) return lastEnd(sig, toks, start);
    i = 1;
    // a whole `$where` function: `function() { return this.a == 1 }` — read its body as statements
    if (toks[0].text === 'function' && toks[1]?.text === '(') {
      pull(12);
      let k = 2;
      while (k < toks.length && k < 12 && toks[k].text !== '{') k += 1;
      if (toks[k]?.text !== '{') return lastEnd(sig, toks, start);
      i = k;
    }
  }
  // the first token after the entry must continue code
  const first = toks[i];
  if (first === undefined) return lastEnd(sig, toks, start);
  if (!(first.kind === 'op' || first.text === ';' || first.text === ',' || first.text === '}' || first.text === ')' || first.text === ']' || first.text === '{')) return lastEnd(sig, toks, start);

  let afterLogic = false;
  for (; ; i++) {
    pull(i + 2);
    if (i >= toks.length) break;
    const t = toks[i];
    const prev = toks[i - 1];
    if (prev !== undefined && isOperand(prev) && isOperand(t) && !(prev.kind === 'ident' && PREFIX_WORDS.has(prev.text))) {
      // two operands in a row: prose, not code. Keep what was seen before, unclean.
      sig.end = prev.end;
      sig.tokens = i;
      sig.clean = false;
      return sig;
    }
    if (t.kind === 'op' && (t.text === '||' || t.text === '&&')) afterLogic = true;
    if (t.text === ';' || t.text === '{' || t.text === '}') afterLogic = false;
    if (afterLogic && t.kind === 'op' && (t.text === '==' || t.text === '===' || t.text === '!=' || t.text === '!==' || t.text === '<' || t.text === '>') && isLiteral(prev) && isLiteral(toks[i + 1])) {
      sig.tautology = true;
    }
    if (t.kind !== 'ident') continue;
    const next = toks[i + 1];
    if (t.text === 'this' && next?.text === '.' && toks[i + 2]?.kind === 'ident') sig.thisAccess = true;
    if (t.text.charCodeAt(0) === 36 && next?.text === ':' && operatorRisk(t.text.slice(1)) !== undefined) sig.operatorKey = true;
    if (t.text === 'sleep' && next?.text === '(' && toks[i + 2]?.kind === 'number') sig.delay = true;
    if (t.text === 'Date' && prev?.text === 'new') {
      pull(i + 40);
      if (toks.slice(i, i + 40).some((x) => x.text === 'while')) sig.delay = true;
    }
    if (prev === undefined || (prev.text !== ';' && prev.text !== '{' && prev.text !== '}')) continue;
    // statements that only code contains
    if (t.text === 'return') {
      const v = next?.text === '(' ? toks[i + 2] : next;
      if (isLiteral(v) || v?.text === 'this' || v?.text === '!' || toks[i + 2]?.kind === 'op') sig.statement = true;
    } else if ((t.text === 'while' || t.text === 'for' || t.text === 'if') && next?.text === '(') {
      // inside a whole `function() {...}` value, branches and loops are just code (browser scripts,
      // snippets); only a `while` busy loop is telling there. After a breakout any of them is code.
      if (!functionEntry || t.text === 'while') sig.statement = true;
    } else if (t.text === 'do' && next?.text === '{') {
      sig.statement = true;
    } else if (t.text === 'function' && (next?.text === '(' || toks[i + 2]?.text === '(')) {
      if (!functionEntry) sig.statement = true;
    } else if ((t.text === 'var' || t.text === 'let' || t.text === 'const') && next?.kind === 'ident' && toks[i + 2]?.text === '=') {
      sig.declaration = true;
    }
  }
  sig.tokens = toks.length;
  lastEnd(sig, toks, start);
  sig.clean = true;
  return sig;
}

/** Where the scan stopped when it did not stop at a comment: the end of the last token lexed. */
function lastEnd(sig: JsSignals, toks: readonly JsToken[], start: number): JsSignals {
  if (!sig.clean) sig.end = toks.length > 0 ? toks[toks.length - 1].end : start;
  return sig;
}

/** `db.method(` or `db.collection.method(` with a Mongo shell method, at the start or after `;`/`{`. */
export function findShellCall(s: string): number {
  for (let at = s.indexOf('db.'); at >= 0; at = s.indexOf('db.', at + 3)) {
    const before = at === 0 ? ';' : s[at - 1];
    if (before !== ';' && before !== '{' && before !== ' ' && before !== '(' && before !== '\n') continue;
    const toks = new JsLexer(s, at);
    const parts: string[] = [];
    for (let k = 0; k < 8; k++) {
      const t = toks.next();
      if (t === null) break;
      if (t.text === '(') {
        const m = parts[parts.length - 1];
        if (m !== undefined && parts.length >= 2 && parts.length <= 3 && SHELL_METHODS.has(m.toLowerCase())) return at;
        break;
      }
      if (t.kind === 'ident') parts.push(t.text);
      else if (t.text !== '.') break;
    }
  }
  return -1;
}

export interface JsScore {
  confidence: number;
  rule: string;
}

export function scoreJs(entry: JsEntry, sig: JsSignals): JsScore {
  let best: JsScore = { confidence: 0, rule: '' };
  const offer = (c: number, rule: string): void => {
    if (c > best.confidence) best = { confidence: c, rule };
  };
  const strong = entry === 'quote' ? 0.9 : 0.85;
  if (sig.shell) offer(0.9, 'shell');
  if (sig.delay) offer(strong + 0.05, 'delay');
  if (sig.operatorKey) offer(0.9, 'operator-key');
  if (sig.statement) offer(strong, 'statement');
  if (sig.declaration && entry === 'quote') offer(0.85, 'declaration');
  if (sig.thisAccess) offer(entry === 'quote' ? 0.9 : 0.7, 'this');
  if (sig.tautology) offer(strong, 'tautology');
  if (best.confidence > 0 && !sig.clean) best.confidence -= 0.15;
  return best;
}

/** Where a value closes a JS string opened with `quote` (backslash escapes stay inside), or -1. */
export function jsBreakoutEnd(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i += 1;
    else if (s[i] === quote) return i + 1;
  }
  return -1;
}
