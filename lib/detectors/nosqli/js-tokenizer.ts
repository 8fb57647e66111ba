/**
 * A small JavaScript lexer for the server-side JS that MongoDB evaluates (`$where`, mapReduce,
 * `$function`): enough to see a value break out of a JS string and continue with code. Linear, never
 * throws; regular-expression literals are recognised after `(`, `,`, `=`, `:`, `&&`, `||`, `!`.
 */
export type JsKind = 'ident' | 'number' | 'string' | 'regex' | 'op' | 'punct' | 'comment' | 'other';

export interface JsToken {
  kind: JsKind;
  /** Identifier/operator/punctuation text; the quote for strings. */
  text: string;
  start: number;
  end: number;
  closed?: boolean;
}

const OPS = ['===', '!==', '>>>', '==', '!=', '<=', '>=', '&&', '||', '??', '=>', '++', '--', '+=', '-=', '*=', '/=', '<<', '>>', '**'];
const PUNCT = '(){}[];,.:?';
const OP_CHARS = '=<>!+-*/%&|^~';

/** JS white space and line terminators (ECMA-262 WhiteSpace/LineTerminator, incl. NBSP, U+2000..U+200A, BOM). */
function isJsSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || (c > 127 && !isJsSpace(c));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class JsLexer {
  private pos: number;
  private prev: JsToken | null = null;

  constructor(
    private readonly s: string,
    start = 0,
  ) {
    this.pos = start;
  }

  next(): JsToken | null {
    const s = this.s;
    const n = s.length;
    while (this.pos < n) {
      const c = s.charCodeAt(this.pos);
      if (isJsSpace(c)) this.pos += 1;
      else break;
    }
    if (this.pos >= n) return null;
    const start = this.pos;
    const c = s.charCodeAt(start);
    const ch = s[start];
    let tok: JsToken;
    if (ch === '/' && s[start + 1] === '/') {
      let e = start + 2;
      while (e < n && s[e] !== '\n') e += 1;
      tok = { kind: 'comment', text: '//', start, end: e, closed: true };
    } else if (ch === '/' && s[start + 1] === '*') {
      const close = s.indexOf('*/', start + 2);
      tok = { kind: 'comment', text: '/*', start, end: close < 0 ? n : close + 2, closed: close >= 0 };
    } else if (ch === '/' && this.regexAllowed()) {
      let e = start + 1;
      let inClass = false;
      while (e < n && s[e] !== '\n') {
        if (s[e] === '\\') e += 2;
        else if (s[e] === '[') (inClass = true), (e += 1);
        else if (s[e] === ']') (inClass = false), (e += 1);
        else if (s[e] === '/' && !inClass) break;
        else e += 1;
      }
      if (s[e] === '/') {
        e += 1;
        while (e < n && isIdentStart(s.charCodeAt(e))) e += 1;
        tok = { kind: 'regex', text: '/', start, end: e, closed: true };
      } else tok = { kind: 'op', text: '/', start, end: start + 1 };
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let e = start + 1;
      let closed = false;
      while (e < n) {
        if (s[e] === '\\') e += 2;
        else if (s[e] === ch) {
          closed = true;
          e += 1;
          break;
        } else e += 1;
      }
      tok = { kind: 'string', text: ch, start, end: Math.min(e, n), closed };
    } else if (isDigit(c) || (ch === '.' && isDigit(s.charCodeAt(start + 1)))) {
      let e = start + 1;
      while (e < n && (isDigit(s.charCodeAt(e)) || s[e] === '.' || s[e] === 'x' || s[e] === 'e' || (s.charCodeAt(e) | 32) >= 97 && (s.charCodeAt(e) | 32) <= 102)) e += 1;
      tok = { kind: 'number', text: s.slice(start, e), start, end: e };
    } else if (isIdentStart(c)) {
      let e = start + 1;
      while (e < n && (isIdentStart(s.charCodeAt(e)) || isDigit(s.charCodeAt(e)))) e += 1;
      tok = { kind: 'ident', text: s.slice(start, e), start, end: e };
    } else if (PUNCT.indexOf(ch) >= 0) {
      tok = { kind: 'punct', text: ch, start, end: start + 1 };
    } else if (OP_CHARS.indexOf(ch) >= 0) {
      const three = s.slice(start, start + 3);
      const two = s.slice(start, start + 2);
      const text = OPS.indexOf(three) >= 0 ? three : OPS.indexOf(two) >= 0 ? two : ch;
      tok = { kind: 'op', text, start, end: start + text.length };
    } else {
      tok = { kind: 'other', text: ch, start, end: start + 1 };
    }
    this.pos = tok.end;
    if (tok.kind !== 'comment') this.prev = tok;
    return tok;
  }

  private regexAllowed(): boolean {
    const p = this.prev;
    if (p === null) return true;
    if (p.kind === 'punct') return p.text !== ')' && p.text !== ']' && p.text !== '}';
    if (p.kind === 'op') return true;
    return p.kind === 'ident' && (p.text === 'return' || p.text === 'typeof');
  }
}

export function tokenizeJs(s: string, start = 0, max = 10_000): JsToken[] {
  const lx = new JsLexer(s, start);
  const out: JsToken[] = [];
  for (let t = lx.next(); t !== null && out.length < max; t = lx.next()) out.push(t);
  return out;
}
