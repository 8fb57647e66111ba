/**
 * JavaScript-context analysis: does a value, reflected into a script (inside a string literal, a
 * template literal, or as bare code such as a JSONP callback), run code of its own?
 *
 * A small JS lexer turns the text into identifiers, strings, numbers and punctuators; a recogniser
 * then looks for
 *  - a string breakout: a quote that closes the surrounding literal, then an operator or statement end
 *    (`'-alert(1)-'`, `";alert(1)//`, `'};alert(1);//`), then a call;
 *  - a template-literal substitution `${…}` holding a call;
 *  - a call of a script sink (`alert(1)`, `` alert`1` ``, `[1].find(alert)`, `top['al\145rt'](1)`,
 *    `eval(…)`, `document.cookie`, `String.fromCharCode(…)`).
 * Prose with parentheses ("see (below)", "o'reilly (2nd ed.)") has no callee directly before '(' or no
 * breakout operator after the quote, so it does not match.
 */

export interface JsFinding {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

type JsTokenKind = 'ident' | 'number' | 'string' | 'punct' | 'template';

interface JsToken {
  kind: JsTokenKind;
  text: string;
  start: number;
  end: number;
}

const MAX_JS_TOKENS = 400;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Lexes `s` from `from`; string and template literals become one token each; comments are dropped. */
export function lexJs(s: string, from = 0): JsToken[] {
  const out: JsToken[] = [];
  const n = s.length;
  let i = from;
  while (i < n && out.length < MAX_JS_TOKENS) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      i += 1;
      continue;
    }
    if (isIdentStart(c)) {
      const st = i;
      while (i < n && isIdentPart(s.charCodeAt(i))) i += 1;
      out.push({ kind: 'ident', text: s.slice(st, i), start: st, end: i });
      continue;
    }
    if (c >= 48 && c <= 57) {
      const st = i;
      while (i < n && (isIdentPart(s.charCodeAt(i)) || s[i] === '.')) i += 1;
      out.push({ kind: 'number', text: s.slice(st, i), start: st, end: i });
      continue;
    }
    const ch = s[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      const st = i;
      i += 1;
      while (i < n && s[i] !== ch) i += s[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, n);
      out.push({ kind: ch === '`' ? 'template' : 'string', text: s.slice(st, i), start: st, end: i });
      continue;
    }
    if (ch === '/' && s[i + 1] === '/') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (ch === '/' && s[i + 1] === '*') {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    out.push({ kind: 'punct', text: ch, start: i, end: i + 1 });
    i += 1;
  }
  return out;
}

/** Functions whose call is the point of an injected script (and rarely appear in ordinary input). */
const SINK_CALLS = new Set([
  'alert', 'prompt', 'confirm', 'eval', 'settimeout', 'setinterval', 'function', 'execscript', 'fromcharcode',
  'atob', 'importscripts', 'write', 'writeln', 'print', 'open', 'fetch', 'sendbeacon', 'globaleval',
  'insertadjacenthtml', 'createcontextualfragment', 'xmlhttprequest', 'activexobject', 'showmodaldialog',
  'import',
]);

/** Identifiers that name the page's script environment: `document.x`, `window[...]`, `top.alert`. */
const SCRIPT_GLOBALS = new Set([
  'document', 'window', 'top', 'self', 'parent', 'frames', 'globalthis', 'location', 'opener', 'navigator',
  'constructor', 'localstorage', 'sessionstorage',
]);

/** Property names that turn a member access into a sink: `document.cookie`, `x.innerHTML=`. */
const SINK_PROPERTIES = new Set(['cookie', 'location', 'innerhtml', 'outerhtml', 'domain', 'href', 'srcdoc', 'fromcharcode']);

/** Properties whose assignment writes markup or cookies whatever object they hang off. */
const ASSIGNMENT_SINKS = new Set(['cookie', 'innerhtml', 'outerhtml', 'srcdoc']);

/**
 * Every identifier findSink reacts to: a sink call, a script global, an assignment sink. A value holding
 * none of them (as a whole identifier) can only match through a quote (computed member call, breakout).
 */
const SCRIPT_WORDS = new Set([...SINK_CALLS, ...SCRIPT_GLOBALS, ...ASSIGNMENT_SINKS]);

/**
 * Any SCRIPT_WORDS word standing as a whole word. `\b` is ASCII-only, so the regex sees a word boundary
 * wherever the lexer does (and more: before `$` or a non-ASCII letter), never fewer: whatever identifier
 * findSink could compare to a word, this finds. One native pass; a hand-written scan over the value
 * costs several times more.
 */
const SCRIPT_WORD_RE = ((): RegExp => {
  // Grouped by first letter (`a(?:lert|tob|…)`): the engine rejects most positions on one character.
  const byHead = new Map<string, string[]>();
  for (const w of SCRIPT_WORDS) byHead.set(w[0], [...(byHead.get(w[0]) ?? []), w.slice(1)]);
  const alternatives = [...byHead].map(([head, rests]) => `${head}(?:${rests.sort((a, b) => b.length - a.length).join('|')})`);
  return new RegExp(`\\b(?:${alternatives.join('|')})\\b`, 'i');
})();

/**
 * True when `s` may hold an identifier findSink compares equal to a SCRIPT_WORDS word (lower-cased).
 * The lexer lower-cases with toLowerCase, which folds the Kelvin sign (U+212A) to `k` (`cooKie`); the
 * regex's case folding does not, so that one character is folded first.
 */
export function hasScriptWord(s: string): boolean {
  return SCRIPT_WORD_RE.test(s.indexOf('\u212a') >= 0 ? s.replace(/\u212a/g, 'k') : s);
}

/**
 * Necessary condition for analyzeJs to find anything: a script word (sink call, script global, assignment
 * sink), or — without one — a quote plus a call, either a computed member call (`top['al'+'ert'](1)`:
 * needs `]`) or a breakout's generic call neutralised by a comment or a re-opened quote (`';foo(1)//`).
 * User agents, cookies, URLs and prose with parentheses fail it after one cheap pass.
 */
export function mayHoldScript(s: string): boolean {
  if (hasScriptWord(s)) return true;
  if (s.indexOf("'") < 0 && s.indexOf('"') < 0 && s.indexOf('`') < 0) return false;
  if (s.indexOf('(') < 0) return false;
  return s.indexOf(']') >= 0 || s.indexOf('//') >= 0 || s.indexOf('<!--') >= 0 || /['"`]\s*$/.test(s);
}

/** Callee names too generic to mean code on their own ("print (pdf)", "open (24h)"). */
const WEAK_SINKS = new Set(['print', 'open', 'write', 'writeln', 'fetch', 'function', 'atob', 'import']);

/** `Function.prototype` methods that call the function they hang off: `alert.call(null,1)`. */
const INVOKERS = new Set(['call', 'apply', 'bind']);

/**
 * Index of the `(` (or template) that calls the callee at token `k`: directly (`alert(`), through
 * optional chaining (`alert?.(1)`), or through call/apply/bind (`alert.call(null,1)`); -1 when none.
 */
function callOpener(tokens: JsToken[], k: number): number {
  const a = tokens[k + 1];
  if (a === undefined) return -1;
  if ((a.kind === 'punct' && a.text === '(') || a.kind === 'template') return k + 1;
  const b = tokens[k + 2];
  const c = tokens[k + 3];
  if (a.kind === 'punct' && a.text === '?' && b !== undefined && b.text === '.' && b.start === a.end && c !== undefined && c.kind === 'punct' && c.text === '(') return k + 3;
  if (a.kind === 'punct' && a.text === '.' && b !== undefined && b.kind === 'ident' && INVOKERS.has(b.text) && c !== undefined && ((c.kind === 'punct' && c.text === '(') || c.kind === 'template')) return k + 3;
  return -1;
}

/**
 * True when `--` or `++` stands right before the callee at token `k`: `--alert(1)`, `` `--eval` `` read
 * as a decrement of a call, an invalid assignment target, so the script is a syntax error and runs
 * nothing. A command-line flag in a markdown code span (`` `--eval` ``) reads exactly like that. JS
 * munches `--` greedily, so an odd run (`---alert(1)` = `-- -alert(1)`) ends in a unary minus, which is valid.
 */
function decremented(tokens: JsToken[], k: number): boolean {
  const sign = tokens[k - 1];
  if (sign === undefined || sign.kind !== 'punct' || (sign.text !== '-' && sign.text !== '+')) return false;
  let run = 1;
  for (let j = k - 2; j >= 0; j--) {
    const t = tokens[j];
    if (t.kind !== 'punct' || t.text !== sign.text || t.end !== tokens[j + 1].start) break;
    run += 1;
  }
  return run % 2 === 0;
}

interface CallMatch {
  name: string;
  strong: boolean;
  start: number;
  end: number;
  /** Token index of the call's `(` (or tagged template); -1 for a use that is no call. */
  opener: number;
}

/**
 * Finds the strongest sink use among tokens [from, to): `name(`, `` name` ``, `x.name(`, `x['name'](`,
 * `[..].find(alert)`, `document.cookie`, `window['…']`.
 */
function findSink(tokens: JsToken[], from: number, to: number, s: string): CallMatch | null {
  let best: CallMatch | null = null;
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      const opener = callOpener(tokens, k);
      const callNext = opener >= 0;
      const prev = tokens[k - 1];
      const member = prev !== undefined && prev.kind === 'punct' && prev.text === '.';
      if (SINK_CALLS.has(lower) && (callNext || (member && lower === 'fromcharcode')) && !decremented(tokens, k)) {
        // `print (` and `open (` in prose: only strong when written like code (member call or no space).
        const tight = next !== undefined && next.start === t.end;
        // `x.import(` is some object's method, not the dynamic import: never strong.
        const strong = (!WEAK_SINKS.has(lower) || member) && lower !== 'import';
        if (tight || strong) {
          const m = { name: lower, strong: strong && tight, start: t.start, end: opener >= 0 ? tokens[opener].end : next ? next.end : t.end, opener };
          if (best === null || (m.strong && !best.strong)) best = m;
        }
        continue;
      }
      // Sink passed as a value: `[1].find(alert)`, `setTimeout(alert)`, `onerror=alert`.
      if ((lower === 'alert' || lower === 'prompt' || lower === 'confirm' || lower === 'eval') && prev !== undefined) {
        if (prev.kind === 'punct' && (prev.text === '(' || prev.text === '=' || prev.text === ',')) {
          const m = { name: lower, strong: true, start: prev.start, end: t.end, opener: -1 };
          if (best === null || !best.strong) best = m;
          continue;
        }
      }
      if (SCRIPT_GLOBALS.has(lower) && next !== undefined && next.kind === 'punct' && (next.text === '.' || next.text === '[')) {
        const prop = tokens[k + 2];
        if (prop !== undefined) {
          const propName = prop.kind === 'string' ? prop.text.slice(1, -1).toLowerCase() : prop.text.toLowerCase();
          if (SINK_PROPERTIES.has(propName) || SINK_CALLS.has(propName) || next.text === '[') {
            const m = { name: `${lower}.${propName}`, strong: true, start: t.start, end: prop.end, opener: -1 };
            if (best === null || !best.strong) best = m;
          }
        }
      }
      if (ASSIGNMENT_SINKS.has(lower) && member && next !== undefined && next.kind === 'punct' && next.text === '=' && s[next.end] !== '=') {
        const m = { name: lower, strong: true, start: t.start, end: next.end, opener: -1 };
        if (best === null || !best.strong) best = m;
      }
    } else if (t.kind === 'string' && next !== undefined && next.kind === 'punct' && next.text === ']') {
      // `top['al\145rt'](1)`, `window["ale"+"rt"](1)`: a computed member call.
      const after = tokens[k + 2];
      if (after !== undefined && after.kind === 'punct' && after.text === '(') {
        const m = { name: 'computed-call', strong: true, start: t.start, end: after.end, opener: k + 2 };
        if (best === null || !best.strong) best = m;
      }
    }
  }
  return best;
}

/** Punctuators that can follow a closed string literal and start new code. */
const BREAKOUT_OPERATORS = new Set([';', '-', '+', '*', '/', '%', '|', '&', '^', ',', ')', '}', ']', '?', ':', '<', '>', '=', '!', '~']);

/**
 * Quote breakout: a quote closes the literal the value sits in, an operator/statement end follows,
 * and the code after it calls something. Returns the first good match.
 */
function findBreakout(s: string): JsFinding | null {
  let scanned = 0;
  for (let q = 0; q < s.length && scanned < 6; q++) {
    const ch = s[q];
    if (ch !== "'" && ch !== '"' && ch !== '`') continue;
    scanned += 1;
    const tokens = lexJs(s, q + 1);
    if (tokens.length < 2) continue;
    const first = tokens[0];
    if (first.kind !== 'punct' || !BREAKOUT_OPERATORS.has(first.text)) continue;
    // `"abc".length`, `", "` and other ordinary punctuation are followed by no call at all.
    const sink = findSink(tokens, 1, tokens.length, s);
    if (sink !== null) {
      return { rule: `js:breakout:${sink.name}`, confidence: sink.strong ? 0.92 : 0.75, start: q, end: sink.end };
    }
    // Generic call after a breakout that is then neutralised by a comment or a re-opened quote:
    // `';foo(1)//`, `'-foo(1)-'`.
    for (let k = 1; k + 1 < tokens.length; k++) {
      const t = tokens[k];
      const nx = tokens[k + 1];
      if (t.kind === 'ident' && nx.kind === 'punct' && nx.text === '(' && nx.start === t.end && !decremented(tokens, k)) {
        const tail = s.slice(nx.end);
        if (/\/\/|<!--|['"`]\s*$/.test(tail.slice(-40))) {
          return { rule: 'js:breakout:call', confidence: 0.45, start: q, end: nx.end };
        }
        break;
      }
    }
  }
  return null;
}

/** `${…}` holding a sink call: template-literal injection. */
function findTemplateSubstitution(s: string): JsFinding | null {
  let at = s.indexOf('${');
  let guard = 0;
  while (at >= 0 && guard < 8) {
    guard += 1;
    const close = s.indexOf('}', at + 2);
    const body = s.slice(at + 2, close < 0 ? s.length : close);
    const tokens = lexJs(body);
    const sink = findSink(tokens, 0, tokens.length, body);
    if (sink !== null && sink.strong) {
      return { rule: `js:template:${sink.name}`, confidence: 0.85, start: at, end: close < 0 ? s.length : close + 1 };
    }
    at = s.indexOf('${', at + 2);
  }
  return null;
}

/**
 * Analyses `s` as script text. `bare` says how much weight a lone sink call gets: a JSONP callback or a
 * value reflected into a script is code even without a breakout.
 */
export function analyzeJs(s: string): JsFinding | null {
  // Every rule needs a call (`(` or a tagged template) except sink assignments (`document.cookie=…`).
  // Parenthesis-free calls assign a sink to a handler and trigger it: `onerror=alert;throw 1`.
  if (s.indexOf('(') < 0 && s.indexOf('`') < 0 && !/cookie|innerhtml|outerhtml|srcdoc|location|=\s*(alert|prompt|confirm|eval)\b/i.test(s)) return null;
  if (!mayHoldScript(s)) return null;
  return analyzeJsText(s);
}

/** analyzeJs without its cheap gates (exported for the test that checks the gates drop nothing). */
export function analyzeJsText(s: string): JsFinding | null {
  const breakout = s.indexOf("'") >= 0 || s.indexOf('"') >= 0 || s.indexOf('`') >= 0 ? findBreakout(s) : null;
  if (breakout !== null && breakout.confidence >= 0.9) return breakout;
  const template = s.indexOf('${') >= 0 ? findTemplateSubstitution(s) : null;
  if (template !== null) return template;
  if (breakout !== null) return breakout;
  const tokens = lexJs(s);
  const sink = findSink(tokens, 0, tokens.length, s);
  if (sink === null || !sink.strong) return null;
  if (!callMayRun(tokens, sink.opener, s)) return null;
  return { rule: `js:sink:${sink.name}`, confidence: 0.72, start: sink.start, end: sink.end };
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** Words that continue an expression after a call: `alert(1) in x`, `f() instanceof g`. */
const INFIX_WORDS = new Set(['in', 'instanceof']);

/**
 * False when the call opened at token `opener` is followed, on the same line, by a word or number:
 * `alert('hello') is a JavaScript function` is a syntax error, so no script holding it runs
 * (and, with no line break, automatic semicolon insertion does not rescue it). A call whose parentheses
 * never close (cut off, or closed by markup) may still run and counts as running.
 */
function callMayRun(tokens: JsToken[], opener: number, s: string): boolean {
  const open = tokens[opener];
  if (open === undefined || open.kind !== 'punct' || open.text !== '(') return true;
  let depth = 0;
  let k = opener;
  for (; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth += 1;
    else if (t.text === ')') {
      depth -= 1;
      if (depth === 0) break;
    }
  }
  const after = tokens[k + 1];
  if (after === undefined) return true;
  // A quote may be the one that balances the page's own closing quote (`alert(1)",` in a flashvar).
  if (after.kind !== 'ident' && after.kind !== 'number') return true;
  if (INFIX_WORDS.has(after.text)) return true;
  return LINE_TERMINATOR.test(s.slice(tokens[k].end, after.start));
}

/** True when an attribute value or URL body reads as code: a call, a sink, or an assignment. */
export function looksLikeScript(s: string): boolean {
  const tokens = lexJs(s);
  if (findSink(tokens, 0, tokens.length, s) !== null) return true;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k];
    const nx = tokens[k + 1];
    if ((t.kind === 'ident' || (t.kind === 'punct' && (t.text === ']' || t.text === ')'))) && ((nx.kind === 'punct' && nx.text === '(') || nx.kind === 'template')) return true;
    if (t.kind === 'ident' && nx.kind === 'punct' && nx.text === '=' && tokens[k + 2] !== undefined) return true;
  }
  return false;
}
