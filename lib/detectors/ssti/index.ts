/**
 * Server-side template injection: a delimited template expression (see expression.ts) whose body is
 * code — an arithmetic probe, a call, or a reach into the engine's object graph (Python dunders,
 * Java reflection, Freemarker `?new()`, Twig `_self.env`, Smarty `{php}`) — rather than a placeholder.
 *
 * Confidence: object-graph/RCE gadgets ≥ 0.9; arithmetic probes 0.85; context objects (`{{self}}`,
 * `{{config}}`, `{$smarty.version}`) 0.75; other calls 0.55; a bare placeholder (`{{ first_name }}`,
 * `${user.name}`) 0.25, because mustache placeholders are common in marketing and CMS text.
 * `${jndi:…}`-style lookups are left to the log4shell detector.
 * AngularJS sandbox escapes (`{{constructor.constructor('…')()}}`) are reported here AND by xss.
 */
import { CH, charsOf, looksLikeNoise } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { findExpressions, lexExpression, shapeOf, type ExprToken, type TemplateExpression } from './expression';

interface Match {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

/** Identifiers that only appear in template payloads: object-graph walking and code execution. */
const GADGET_IDENTIFIERS = new Set([
  '__class__', '__mro__', '__subclasses__', '__globals__', '__builtins__', '__import__', '__init__', '__base__',
  '__bases__', '__getitem__', '__dict__', '__getattribute__', '__reduce__', '__proto__', 'subclasses', 'mro',
  '_templatereference__context', '_templatereference', 'getruntime', 'processbuilder', 'forname', 'getclass',
  'getclassloader', 'classloader', 'scriptenginemanager', 'getenginebyname', 'registerundefinedfiltercallback',
  'getfilter', 'popen', 'subprocess', 'child_process', 'mainmodule', 'execute', 'objectconstructor',
  'jythonruntime', 'inclass', 'getdeclaredmethod', 'newinstance', 'getmethod', 'invoke', 'getinputstream',
  'ioutils', 'linecache', '_mmarker', '_nsattr__parent', '_with_template', 'smarty_internal_write_file',
  'getstreamvariable', 'constructor', 'fromcharcode',
  // OGNL (Struts 2): the member-access switch, the context, the container that hands out the OgnlUtil
  '_memberaccess', 'ognlcontext', 'default_member_access', 'ognlutil', 'getexcludedclasses', 'getexcludedpackagenames',
  'servletactioncontext', 'actioncontext', 'setmemberaccess', 'denymethodexecution', 'allowstaticmethodaccess',
]);

/** Template-context objects an attacker probes first (`{{self}}`, `{{config.items()}}`). */
const CONTEXT_OBJECTS = new Set([
  'config', 'self', '_self', 'request', 'lipsum', 'cycler', 'joiner', 'namespace', 'url_for',
  'get_flashed_messages', 'app', 'smarty', 'settings', 'session', 'environ', 'env', 'range', 'dump',
]);

/** Callees that execute commands or read files in the engine's language. */
const DANGEROUS_CALLS = new Set([
  'system', 'exec', 'eval', 'popen', 'passthru', 'shell_exec', 'open', 'read', 'readlines', 'spawn', 'execsync',
  'require', 'import', 'getruntime', 'forname', 'include', 'file_get_contents', 'file', 'load', 'communicate',
  'check_output', 'run', 'call', 'getoutput', 'exec_command',
]);

function pick(a: Match | null, b: Match | null): Match | null {
  if (b === null) return a;
  return a === null || b.confidence > a.confidence ? b : a;
}

/** `${jndi:ldap://…}`, `${env:HOME}`, `${date:…}`: Log4j/StrSubstitutor lookups, not template code. */
function isLookup(expr: TemplateExpression): boolean {
  if (expr.open !== '${') return false;
  const colon = expr.body.indexOf(':');
  return colon > 0 && colon < 16 && /^[\s$]*[A-Za-z$]+(\s*[:$]|$)/.test(expr.body.slice(0, colon + 1));
}

function gadgetIn(tokens: ExprToken[], body: string): string | null {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      if (GADGET_IDENTIFIERS.has(lower)) {
        // `constructor` on its own is a JS word; the sandbox escape chains it or calls through it.
        if (lower === 'constructor' && !/constructor\s*[.(\[]|\.constructor/i.test(body)) continue;
        return lower;
      }
      // Spring EL / Thymeleaf: `T(java.lang.Runtime)`; OGNL `@java.lang.Runtime@getRuntime()`.
      if (t.text === 'T' && tokens[k + 1]?.text === '(' && tokens[k + 2]?.kind === 'ident') return 'T(type)';
      if (lower === 'java' && tokens[k + 1]?.kind === 'dot' && (tokens[k + 2]?.text === 'lang' || tokens[k + 2]?.text === 'io')) return 'java.lang';
      if (lower === 'os' && tokens[k + 1]?.kind === 'dot' && /^(system|popen|exec|spawn)/i.test(tokens[k + 2]?.text ?? '')) return 'os.system';
    } else if (t.kind === 'string') {
      const lower = t.text.toLowerCase();
      if (lower.includes('freemarker.template.utility') || lower.includes('com.opensymphony.xwork2') || lower.includes('xwork.methodaccessor') || lower.includes('allowstaticmethodaccess') || lower.includes('java.lang.runtime') || lower.includes('javax.script') || lower.includes('__class__') || lower.includes('__globals__') || lower.includes('__builtins__')) return 'string-gadget';
    } else if (t.kind === 'op' && t.text === '?' && tokens[k + 1]?.text === 'new' && tokens[k + 2]?.text === '(') {
      return '?new()';
    }
  }
  // `|attr("__class__")`, `|attr([...]|join)`, `['id']|filter('system')`, `|map('system')`.
  for (let k = 0; k + 2 < tokens.length; k++) {
    if (tokens[k].kind === 'pipe' && tokens[k + 1].kind === 'ident') {
      const f = tokens[k + 1].text.toLowerCase();
      if (f === 'attr' && tokens[k + 2].text === '(') return '|attr';
      if ((f === 'filter' || f === 'map' || f === 'sort' || f === 'reduce') && tokens[k + 2].text === '(') {
        const arg = tokens[k + 3];
        if (arg !== undefined && arg.kind === 'string' && /system|exec|passthru|popen|shell/i.test(arg.text)) return `|${f}(system)`;
      }
    }
  }
  return null;
}

/** Closed, brackets balanced, quotes closed, and no characters foreign to expression syntax. */
function wellFormed(tokens: ExprToken[], expr: TemplateExpression): boolean {
  if (!expr.closed || expr.body.length > 600) return false;
  const code = expr.open === '<%';
  // OGNL (`%{…}`, and `${…}` in Struts tags) writes context variables `#x` and static access `@Class@member`
  const ognl = expr.open === '%{' || expr.open === '${';
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'other' && !(code && (t.text === ';' || t.text === '@' || t.text === '#')) && !(ognl && (t.text === '@' || t.text === '#'))) return false;
    if (t.kind === 'open') depth += 1;
    else if (t.kind === 'close') {
      depth -= 1;
      if (depth < 0) return false;
    } else if (t.kind === 'string' && (t.text.length < 2 || t.text[t.text.length - 1] !== t.text[0])) return false;
  }
  return depth === 0;
}

function classify(expr: TemplateExpression, decodedBody: string): Match | null {
  if (isLookup(expr)) return null;
  const body = decodedBody;
  if (body.trim().length === 0) return null;
  const tokens = lexExpression(body);
  if (tokens.length === 0) return null;
  const span = { start: expr.start, end: expr.end };
  const formed = wellFormed(tokens, expr);
  const gadget = gadgetIn(tokens, body);
  if (gadget !== null && (formed || gadget.startsWith('__') || gadget === 'string-gadget' || gadget === 'subclasses')) {
    return { rule: `ssti:gadget:${gadget}`, confidence: 0.93, ...span };
  }
  // Random blobs (bot-manager sensor data, minified code) contain `${…}`/`[[…]]` by chance: only an
  // expression that lexes cleanly is judged on its shape.
  if (!formed) return null;
  const shape = shapeOf(tokens);
  let best: Match | null = null;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'ident') continue;
    const lower = t.text.toLowerCase();
    const next = tokens[k + 1];
    if (DANGEROUS_CALLS.has(lower) && next !== undefined && next.text === '(' && (shape.chain >= 2 || k === 0 || tokens[k - 1].kind === 'dot')) {
      best = pick(best, { rule: `ssti:call:${lower}`, confidence: lower === 'read' || lower === 'open' || lower === 'run' || lower === 'call' || lower === 'load' ? 0.75 : 0.9, ...span });
    }
    if (CONTEXT_OBJECTS.has(lower) && (k === 0 || tokens[k - 1].kind !== 'dot')) {
      // `{{self}}`, `{{ config.items() }}`, `{{dump(app)}}`, `{$smarty.version}`
      const alone = tokens.length === 1;
      const reached = next !== undefined && (next.kind === 'dot' || next.text === '(' || next.text === '[' || next.kind === 'pipe');
      if (alone || reached) best = pick(best, { rule: `ssti:context:${lower}`, confidence: reached ? 0.85 : 0.75, ...span });
    }
  }
  // The probe is a pure arithmetic expression (`7*7`, `7*'7'`, `{7*7}`); digits inside URLs or data
  // structures (`2023/11` in a JSON blob) are not.
  const pureArithmetic = tokens.length <= 15 && tokens.every((t) => t.kind === 'number' || t.kind === 'string' || t.kind === 'op' || t.kind === 'open' || t.kind === 'close');
  if (shape.arithmetic && pureArithmetic) {
    best = pick(best, { rule: 'ssti:arithmetic', confidence: expr.open === '[[' || expr.open === '*{' ? 0.7 : 0.85, ...span });
  }
  if (shape.calls > 0) {
    // Method call on a literal (`'a'.toUpperCase()`, `[].__class__`) or on a chain: code, not a placeholder.
    const onLiteral = tokens[0].kind === 'string' || (tokens[0].kind === 'open' && tokens[0].text === '[');
    best = pick(best, { rule: onLiteral ? 'ssti:call:literal' : 'ssti:call', confidence: onLiteral ? 0.75 : 0.45, ...span });
  }
  if (best === null && !shape.proseLike && expr.closed) {
    best = { rule: 'ssti:placeholder', confidence: 0.25, ...span };
  }
  return best;
}

/** Directives and tags that are code by themselves (no expression body needed). */
function directiveRules(s: string, lower: string): Match | null {
  let best: Match | null = null;
  const at = (needle: string): number => lower.indexOf(needle);
  // Smarty: `{php}…{/php}`, `{system('id')}`, `{Smarty_Internal_Write_File::writeFile(…)}`
  const php = at('{php}');
  if (php >= 0) best = pick(best, { rule: 'ssti:smarty:php', confidence: 0.9, start: php, end: Math.min(s.length, php + 60) });
  const smartyCall = /\{\s*(system|exec|passthru|shell_exec|eval|include_php|fetch)\s*\(/.exec(lower);
  if (smartyCall !== null) best = pick(best, { rule: `ssti:smarty:${smartyCall[1]}`, confidence: 0.88, start: smartyCall.index, end: smartyCall.index + smartyCall[0].length });
  const smartyVar = at('{$smarty.');
  if (smartyVar >= 0) best = pick(best, { rule: 'ssti:smarty:var', confidence: 0.8, start: smartyVar, end: smartyVar + 16 });
  // Velocity: `#set($x = …)`, `$class.inClass`, `#foreach`.
  const vset = /#set\s*\(\s*\$/.exec(lower);
  if (vset !== null) best = pick(best, { rule: 'ssti:velocity:set', confidence: 0.65, start: vset.index, end: vset.index + vset[0].length });
  if (at('$class.inclass') >= 0 || at('$class.forname') >= 0 || /\$\w+\.getclass\(\)/.test(lower)) {
    best = pick(best, { rule: 'ssti:velocity:class', confidence: 0.93, start: 0, end: Math.min(s.length, 80) });
  }
  // Freemarker: `<#assign ex = "freemarker.template.utility.Execute"?new()>`, `[#assign …]`
  const assign = /[<[]#assign\b/.exec(lower);
  if (assign !== null) {
    const gadget = lower.includes('?new(') || lower.includes('freemarker.template') || lower.includes('objectconstructor');
    best = pick(best, { rule: gadget ? 'ssti:freemarker:new' : 'ssti:freemarker:assign', confidence: gadget ? 0.95 : 0.6, start: assign.index, end: Math.min(s.length, assign.index + 80) });
  }
  // Thymeleaf preprocessing `__${…}__::.x`
  const pre = at('__${');
  if (pre >= 0 && lower.indexOf('}__', pre) > pre) best = pick(best, { rule: 'ssti:thymeleaf:preprocess', confidence: 0.88, start: pre, end: Math.min(s.length, pre + 80) });
  // Handlebars prototype tricks: `{{#with "s" as |string|}} … {{lookup string.sub "constructor"}}`
  if (at('{{#with') >= 0 && (at('constructor') >= 0 || at('child_process') >= 0 || at('require(') >= 0)) {
    best = pick(best, { rule: 'ssti:handlebars:constructor', confidence: 0.93, start: at('{{#with'), end: Math.min(s.length, at('{{#with') + 80) });
  }
  return best;
}

/** Cheap gate: every rule needs one of these opener characters. */
/** Longest expression body looked at in symbol soup; gadget chains in payloads are shorter. */
const NOISE_MAX_BODY = 256;

/** Every opener mayHoldTemplate looks for has one of these (`{`, `<%`, `@(`, `[#`, `#set`, `%7B`, `&#`, `\\x7b`). */
const TEMPLATE_CHARS = CH.LBRACE | CH.LT | CH.AT | CH.LBRACKET | CH.HASH | CH.PERCENT | CH.AMP | CH.BACKSLASH;

function mayHoldTemplate(s: string): boolean {
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    // {{ {% ${ #{ *{ %{ <% @( <# [# [[ #s(et)  {p(hp) {$ {s(ystem)
    if (d === 123 && (c === 123 || c === 36 || c === 35 || c === 42 || c === 37)) return true; // {{ ${ #{ *{ %{
    if (c === 123 && (d === 37 || d === 36 || d === 112 || d === 115 || d === 101 || d === 105 || d === 102 || d === 83)) return true;
    if (c === 60 && (d === 37 || d === 35)) return true;
    if (c === 64 && d === 40) return true;
    if (c === 91 && (d === 35 || d === 91)) return true;
    if (c === 35 && (d === 115 || d === 83)) return true;
    if (c === 37 && (d === 55 || d === 50 || d === 51)) return true; // %7B %23 %24 %3C: encoded openers
    if (c === 38 && d === 35) return true; // &#...
    if (c === 92) return true; // \x7b, \u007b
  }
  return false;
}

export const sstiDetector: Detector = {
  type: 'ssti',
  triggers: TEMPLATE_CHARS,
  detect(input: DetectorInput): Detection | null {
    const raw = input.point.value;
    if (raw.length < 4 || (charsOf(input) & TEMPLATE_CHARS) === 0 || !mayHoldTemplate(raw)) return null;
    let view = input.decode('url', 'html');
    // `\x5f\x5fclass\x5f\x5f` inside Jinja strings: the engine unescapes them; so do we.
    if (view.indexOf('\\') >= 0) view = input.decode('url', 'html', 'js');
    const lower = view.toLowerCase();
    let best = directiveRules(view, lower);
    // symbol soup has openers everywhere: expressions there are short or nothing (see looksLikeNoise)
    const noise = looksLikeNoise(input);
    for (const expr of findExpressions(view, noise ? NOISE_MAX_BODY : undefined)) {
      const m = classify(expr, expr.body);
      // `%` is everywhere in soup (and in its percent-decoding): there an OGNL `%{…}` must name a gadget
      if (noise && expr.open === '%{' && m !== null && !m.rule.startsWith('ssti:gadget')) continue;
      best = pick(best, m);
      if (best !== null && best.confidence >= 0.93) break;
    }
    if (best === null) return null;
    const confidence = input.point.isKey ? best.confidence * 0.9 : best.confidence;
    return {
      type: 'ssti',
      confidence: Math.round(confidence * 100) / 100,
      detail: best.rule,
      excerpt: view.slice(best.start, Math.min(best.end, best.start + 200)),
    };
  },
};
