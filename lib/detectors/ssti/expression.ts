/**
 * Template expressions: finds the delimited expressions of the major template engines in a value and
 * lexes their bodies, so the rules can tell code (`7*7`, `''.__class__.__mro__`, `T(java.lang.Runtime)`)
 * from prose in braces (`{{ first_name }}` in a marketing e-mail, `{name}` in a translation string).
 *
 * Delimiters (engine → syntax):
 *   Jinja2/Twig/Nunjucks/Handlebars/AngularJS `{{ … }}`, `{% … %}`; Spring/JSP EL, Freemarker, Mako,
 *   Velocity, Thymeleaf `${ … }`; Ruby/JSF/Thymeleaf `#{ … }`, `*{ … }`; ERB/JSP/EJS `<%= … %>`, `<% … %>`;
 *   Razor `@( … )`; Thymeleaf preprocessing `__${ … }__`; Freemarker directives `<#…>`, `[#…]`;
 *   Velocity directives `#set(`, `#foreach(`; Smarty `{php}`, `{$…}`, `{system(…)}`.
 */

export interface TemplateExpression {
  /** Opening delimiter as written: '{{', '{%', '${', '#{', '*{', '%{', '<%', '@(', '<#', '[#', '#set(', '{'. */
  open: string;
  body: string;
  start: number;
  end: number;
  /** The closing delimiter was found. */
  closed: boolean;
}

export type ExprTokenKind = 'ident' | 'number' | 'string' | 'op' | 'open' | 'close' | 'dot' | 'comma' | 'pipe' | 'other';

export interface ExprToken {
  kind: ExprTokenKind;
  text: string;
}

const MAX_EXPRESSIONS = 16;
const MAX_BODY = 2000;

/** Finds the closing `close` for an expression opened at `from`, honouring quotes and nesting of `{`/`(`. */
function findClose(s: string, from: number, close: string, maxBody: number): number {
  let depth = 0;
  let quote = '';
  const limit = Math.min(s.length, from + maxBody);
  const first = close[0];
  for (let i = from; i < limit; i++) {
    const c = s[i];
    if (quote !== '') {
      if (c === '\\') i += 1;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (depth === 0 && c === first && s.startsWith(close, i)) return i;
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth -= 1;
  }
  // Unbalanced quotes inside (e.g. `{{7*'7'}}` is fine, but `{{'a'}}` written with a stray quote): fall
  // back to the plain next occurrence.
  const plain = s.indexOf(close, from);
  return plain >= 0 && plain < limit ? plain : -1;
}

const OPENERS: ReadonlyArray<{ open: string; close: string }> = [
  { open: '{{', close: '}}' },
  { open: '{%', close: '%}' },
  { open: '${', close: '}' },
  { open: '#{', close: '}' },
  { open: '*{', close: '}' },
  // OGNL (Struts 2 tags and the Content-Type/redirect: prefix payloads); also Ruby/Rails `%{name}` placeholders,
  // which the scorer leaves alone (a bare name is no expression)
  { open: '%{', close: '}' },
  { open: '<%', close: '%>' },
  { open: '@(', close: ')' },
  { open: '<#', close: '>' },
  { open: '[#', close: ']' },
  { open: '[[', close: ']]' },
];

/**
 * All delimited expressions in `s`, left to right (non-overlapping per opener kind). `maxBody` bounds how
 * far a closing delimiter is looked for (callers lower it for symbol soup, where openers are everywhere).
 */
export function findExpressions(s: string, maxBody = MAX_BODY): TemplateExpression[] {
  const out: TemplateExpression[] = [];
  for (const { open, close } of OPENERS) {
    let at = s.indexOf(open);
    while (at >= 0 && out.length < MAX_EXPRESSIONS) {
      const bodyStart = at + open.length;
      // `<%=`, `<%-`, `{%-`, `{{-`, `{{=`: whitespace-control / output markers belong to the delimiter.
      let b = bodyStart;
      if ((open === '<%' || open === '{%' || open === '{{') && (s[b] === '=' || s[b] === '-' || s[b] === '#' || s[b] === '~')) b += 1;
      const closeAt = findClose(s, b, close, maxBody);
      const end = closeAt < 0 ? Math.min(s.length, b + maxBody) : closeAt + close.length;
      out.push({ open, body: s.slice(b, closeAt < 0 ? end : closeAt), start: at, end, closed: closeAt >= 0 });
      at = s.indexOf(open, closeAt < 0 ? bodyStart : end);
    }
  }
  return out;
}

function isIdentChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

/** Lexes an expression body: identifiers, numbers, strings, operators, brackets. */
export function lexExpression(body: string): ExprToken[] {
  const out: ExprToken[] = [];
  const n = body.length;
  let i = 0;
  while (i < n && out.length < 400) {
    const c = body.charCodeAt(i);
    const ch = body[i];
    if (c <= 32) {
      i += 1;
      continue;
    }
    if (c >= 48 && c <= 57) {
      const st = i;
      while (i < n && (isIdentChar(body.charCodeAt(i)) || body[i] === '.')) i += 1;
      out.push({ kind: 'number', text: body.slice(st, i) });
      continue;
    }
    if (isIdentChar(c)) {
      const st = i;
      while (i < n && isIdentChar(body.charCodeAt(i))) i += 1;
      out.push({ kind: 'ident', text: body.slice(st, i) });
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      const st = i;
      i += 1;
      while (i < n && body[i] !== ch) i += body[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, n);
      out.push({ kind: 'string', text: body.slice(st, i) });
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') out.push({ kind: 'open', text: ch });
    else if (ch === ')' || ch === ']' || ch === '}') out.push({ kind: 'close', text: ch });
    else if (ch === '.') out.push({ kind: 'dot', text: ch });
    else if (ch === ',') out.push({ kind: 'comma', text: ch });
    else if (ch === '|') out.push({ kind: 'pipe', text: ch });
    else if ('+-*/%=<>!&^~?:'.includes(ch)) out.push({ kind: 'op', text: ch });
    else out.push({ kind: 'other', text: ch });
    i += 1;
  }
  return out;
}

export interface ExpressionShape {
  /** number OP number (`7*7`, `7*'7'`, `1+2`): the classic engine probe. */
  arithmetic: boolean;
  /** A call: identifier/closing bracket directly followed by '(' . */
  calls: number;
  /** Longest attribute chain (`a.b.c` → 3). */
  chain: number;
  /** Filters: `x|attr(…)`, `x|join`. */
  filters: number;
  identifiers: number;
  tokens: number;
  /** Words separated only by spaces, like prose (`first name`, `your order`). */
  proseLike: boolean;
}

export function shapeOf(tokens: ExprToken[]): ExpressionShape {
  let arithmetic = false;
  let calls = 0;
  let chain = 0;
  let run = 0;
  let filters = 0;
  let identifiers = 0;
  let adjacentWords = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    if (t.kind === 'ident') identifiers += 1;
    if (t.kind === 'op' && prev !== undefined && next !== undefined && '+-*/%'.includes(t.text)) {
      const operand = (x: ExprToken): boolean => x.kind === 'number' || (x.kind === 'string' && /^['"]\d+['"]$/.test(x.text));
      if (operand(prev) && operand(next)) arithmetic = true;
    }
    if (t.kind === 'open' && t.text === '(' && prev !== undefined && (prev.kind === 'ident' || (prev.kind === 'close' && prev.text !== '}'))) calls += 1;
    if (t.kind === 'pipe' && next !== undefined && next.kind === 'ident') filters += 1;
    if (t.kind === 'ident' || t.kind === 'string' || (t.kind === 'close' && t.text !== '}')) {
      if (prev !== undefined && prev.kind === 'dot') run += 1;
      else run = 1;
      if (run > chain) chain = run;
    } else if (t.kind !== 'dot' && !(t.kind === 'open' && t.text !== '{')) {
      run = 0;
    }
    if (t.kind === 'ident' && prev !== undefined && prev.kind === 'ident') adjacentWords += 1;
  }
  const proseLike = adjacentWords >= 2 && calls === 0 && !arithmetic;
  return { arithmetic, calls, chain, filters, identifiers, tokens: tokens.length, proseLike };
}
