/**
 * Cross-site scripting: markup that runs script (HTML tokenizer + dangerous-construct rules), script
 * URLs, JavaScript-context breakouts and client-side template (AngularJS/Vue) expressions.
 *
 * Views: URL-decoded + HTML-decoded + controls removed (what a browser sees after the server decodes the
 * parameter); the same with JS escapes when the value has backslashes (values reflected into JSON or
 * script strings); NFKC-folded when it has non-ASCII (`＜script＞`); a leading base64 run the
 * nested-encoding peeler could not take whole (percent-encoded alphabet, junk after the padding), decoded;
 * and re-readings of each of those views (eighth bit dropped, `+` as a form-encoded space, IE data
 * islands). Values without markup, escapes or a leading base64 run take none of the extra views, and the
 * JS analysis is skipped for values holding no script word (see mayHoldScript): a user agent or a cookie
 * leaves after a few native searches.
 *
 * Overlap with SSTI: `{{constructor.constructor('alert(1)')()}}` is reported here as `xss:csti:*`
 * (it runs in the browser under AngularJS) AND by the SSTI detector (a template expression reaching
 * constructors); both are true and the policy may block on either.
 */
import { htmlDecode } from '../../decoders/html';
import { CH, charsOf, looksLikeNoise } from '../../features';
import type { DecoderName, Detection, Detector, DetectorInput } from '../../types';
import { analyzeJs, looksLikeScript } from './js-context';
import { analyzeAttlistDefault, analyzeAttributeInjection, analyzeHtml, analyzeStyleInjection, analyzeUtf7, scriptUrlScheme } from './rules';

interface Match {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

/**
 * Cheap gate on the raw value: every rule needs one of `< ( ` : & % \\ { =` or non-ASCII (fullwidth and
 * compatibility forms are folded later); nothing renders or runs without one.
 */
const XSS_CHARS = CH.LT | CH.LPAREN | CH.BACKTICK | CH.COLON | CH.AMP | CH.PERCENT | CH.BACKSLASH | CH.LBRACE | CH.EQUALS | CH.NONASCII;

function pick(a: Match | null, b: Match | null): Match | null {
  if (b === null) return a;
  return a === null || b.confidence > a.confidence ? b : a;
}

/** AngularJS / Vue expressions that escape their sandbox or call a sink: client-side template injection. */
function analyzeClientTemplate(s: string): Match | null {
  let at = s.indexOf('{{');
  let guard = 0;
  while (at >= 0 && guard < 8) {
    guard += 1;
    const close = s.indexOf('}}', at + 2);
    const body = s.slice(at + 2, close < 0 ? Math.min(s.length, at + 600) : close);
    const lower = body.toLowerCase();
    const end = close < 0 ? s.length : close + 2;
    if (lower.includes('constructor') || lower.includes('$eval') || lower.includes('$on.') || lower.includes('__proto__') || lower.includes('$emit')) {
      return { rule: 'xss:csti:constructor', confidence: 0.88, start: at, end };
    }
    const js = analyzeJs(body);
    if (js !== null && js.rule.startsWith('js:sink:')) return { rule: `xss:csti:${js.rule.slice(8)}`, confidence: 0.8, start: at, end };
    at = s.indexOf('{{', at + 2);
  }
  return null;
}

/** A whole value that is a script URL (reflected into href/src/location). */
function analyzeUrlValue(s: string): Match | null {
  const scheme = scriptUrlScheme(s.slice(0, 200));
  if (scheme === null) return null;
  const colon = s.indexOf(':');
  const rest = s.slice(colon + 1);
  if (scheme === 'data') {
    const lower = s.slice(0, 60).toLowerCase();
    const comma = s.indexOf(',');
    const meta = lower.slice(0, comma < 0 ? 60 : comma);
    if (meta.includes('text/html') || meta.includes('xhtml') || meta.includes('javascript')) {
      return { rule: 'xss:url:data', confidence: 0.85, start: 0, end: s.length };
    }
    // An SVG image is a legitimate data URL (icons, placeholders); only script inside it counts.
    if (meta.includes('svg') && !meta.includes('base64')) {
      const inner = analyzeHtml(s.slice(comma + 1));
      if (inner !== null && inner.confidence >= 0.8) return { rule: `xss:url:data-svg:${inner.rule}`, confidence: inner.confidence, start: 0, end: s.length };
    }
    return null;
  }
  // `javascript:void(0)` / `javascript:;` are the web's no-op links, sent back in analytics beacons.
  const body = rest.replace(/[\s;]+/g, '').toLowerCase();
  if (body === '' || body === 'void(0)' || body === 'void0' || /^[0-9.]*$/.test(body)) {
    return { rule: `xss:url:${scheme}:noop`, confidence: 0.3, start: 0, end: s.length };
  }
  const script = looksLikeScript(rest);
  return { rule: `xss:url:${scheme}`, confidence: script ? 0.92 : 0.72, start: 0, end: s.length };
}

/** Every CH class: a view whose characters are not known (a decoded one) is searched for everything. */
const ALL_CHARS = -1;

/**
 * `chars`: CH classes the view may hold (a superset is fine); the point's mask for the undecoded view, so
 * a rule whose trigger character is absent is skipped without a search.
 * `noise` (symbol soup, see looksLikeNoise): markup, attribute and URL rules only. The JS-context rules
 * (breakouts, sinks, template expressions) need a clean syntactic context around the match; random
 * printable text has quotes, brackets and `${` everywhere, so they would only cost time and match chance.
 */
function analyzeView(s: string, noise = false, chars = ALL_CHARS): Match | null {
  let best: Match | null = null;
  if ((chars & CH.LT) !== 0 && s.indexOf('<') >= 0) best = pick(best, analyzeHtml(s));
  if (best !== null && best.confidence >= 0.9) return best;
  if ((chars & CH.EQUALS) !== 0 && s.indexOf('=') >= 0) {
    best = pick(best, analyzeAttributeInjection(s));
    if (best === null || best.confidence < 0.85) best = pick(best, analyzeStyleInjection(s));
  }
  if ((chars & CH.PLUS) !== 0 && s.indexOf('+AD') >= 0) best = pick(best, analyzeUtf7(s));
  if ((best === null || best.confidence < 0.8) && (chars & (CH.SQUOTE | CH.DQUOTE)) !== 0 && (s.indexOf('CDATA') >= 0 || s.indexOf('cdata') >= 0)) best = pick(best, analyzeAttlistDefault(s));
  if ((chars & CH.COLON) !== 0 && s.indexOf(':') >= 0) best = pick(best, analyzeUrlValue(s));
  if (noise) return best;
  if ((chars & CH.LBRACE) !== 0 && s.indexOf('{{') >= 0) best = pick(best, analyzeClientTemplate(s));
  if (best !== null && best.confidence >= 0.9) return best;
  const js = analyzeJs(s);
  if (js !== null) best = pick(best, { rule: `xss:${js.rule}`, confidence: js.confidence, start: js.start, end: js.end });
  return best;
}

function hasControls(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return true;
  }
  return false;
}

/** More than 1 in 16 of the first 512 characters are C0 controls other than tab/CR/LF. */
function looksBinary(s: string): boolean {
  const n = Math.min(s.length, 512);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) controls += 1;
  }
  return n >= 32 && controls * 16 > n;
}

/** `\xHH`, `\uHHHH`, `\OOO`: escapes that hide markup from the first view. */
function hasJsEscapes(s: string): boolean {
  let at = s.indexOf('\\');
  while (at >= 0) {
    const c = s[at + 1];
    if (c === 'x' || c === 'u' || (c >= '0' && c <= '7')) return true;
    at = s.indexOf('\\', at + 1);
  }
  return false;
}

/** A `%HH` escape (a valid one: `100%` and `%zz` are text). */
function hasPercentEscape(s: string): boolean {
  for (let at = s.indexOf('%'); at >= 0 && at + 2 < s.length; at = s.indexOf('%', at + 1)) {
    if (isHex(s.charCodeAt(at + 1)) && isHex(s.charCodeAt(at + 2))) return true;
    if ((s[at + 1] === 'u' || s[at + 1] === 'U') && at + 5 < s.length && isHex(s.charCodeAt(at + 2))) return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * The decoder chain that peels what one JS pass left behind in `once` (the URL- and JS-decoded value):
 * a second JS layer, a URL layer, or both (at most two more passes: every extra layer is a full pass),
 * then HTML references; null when nothing is left to peel.
 */
function deeperChain(once: string): DecoderName[] | null {
  const jsLeft = hasJsEscapes(once);
  // `\u0025` / `\x25` spell a percent sign: a JS layer over a percent layer (`\\u00253C` → `%3C` → `<`).
  const urlLeft = hasPercentEscape(once) || (jsLeft && /\\(u0025|x25)/i.test(once));
  if (!jsLeft && !urlLeft) return null;
  const chain: DecoderName[] = ['url', 'js'];
  if (jsLeft) chain.push('js');
  if (urlLeft) chain.push('url');
  chain.push('html');
  return chain;
}

/**
 * Numeric character references decoded the strict way (XML, and servers that entity-encode with a
 * trailing `;` and decode only that form): `jav&#x09&#59;ascript` is `jav&#x09;ascript` to such a layer,
 * which the browser then reads as `jav<TAB>ascript`. The lenient HTML decoder instead ends `&#x09` at
 * the `&` and breaks the word, so both readings are looked at.
 */
function strictEntityDecode(s: string): string {
  return s.replace(/&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (m: string, hex: string | undefined, dec: string | undefined) => {
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/**
 * The value read as US-ASCII by a parser that drops the eighth bit: `¼script¾` (0xBC, 0xBE) is
 * `<script>` (old IE served a page as US-ASCII did so). Only Latin-1 characters are folded.
 */
function stripHighBit(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0xa0 && c <= 0xff ? String.fromCharCode(c & 0x7f) : s[i];
  }
  return out;
}

/**
 * An IE XML data island (`<xml>…</xml>`) binds its text into the page after the XML parser has dropped
 * comments and joined CDATA sections, so `javas<!-- -->cript:` and `javas]]<![CDATA[cript:` are one
 * word by the time the bound markup is rendered.
 */
function unwrapDataIsland(s: string): string {
  return s.replace(/<!--[^>]{0,64}-->|\]\]>?<!\[CDATA\[/g, '');
}

/**
 * Longest view read again with `+` as a space: form-encoded payloads are short, and a long tag-dense value
 * would only be tokenized twice.
 */
const MAX_FORM_REREAD = 4096;

/** A tag opened with a `+` in its name (`<img+src=x+onerror=…>`, `<script+for=…>`): a form-encoded space. */
function hasFormEncodedTag(s: string): boolean {
  for (let at = s.indexOf('<'); at >= 0; at = s.indexOf('<', at + 1)) {
    let i = at + 1;
    if (s[i] === '/') i += 1;
    const first = i;
    while (i < s.length && ((s.charCodeAt(i) | 32) >= 97 && (s.charCodeAt(i) | 32) <= 122)) i += 1;
    if (i > first && s[i] === '+') return true;
  }
  return false;
}

/** Shortest base64 run worth decoding as a payload (12 bytes of text). */
const MIN_EMBEDDED_BASE64 = 16;

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** The first MIN_EMBEDDED_BASE64 characters are base64 (a cheap test before leadingBase64Text). */
function startsLikeBase64(s: string): boolean {
  if (s.length < MIN_EMBEDDED_BASE64) return false;
  for (let i = 0; i < MIN_EMBEDDED_BASE64; i++) if (!isBase64Char(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Base64 text that the nested-encoding peeler cannot reach because it is not the whole value: its
 * alphabet percent-encoded (`…PC9zdmc%2B%3D%3D`, base64 put into a URL without form-encoding it again)
 * or trailing characters glued to it (`…Pg=="/>`, the quote and tag end of the attribute it was built
 * for). Decoded when the leading run is long enough, ends at padding or a character no base64 variant
 * uses, and decodes to printable text holding markup; null otherwise.
 */
function leadingBase64Text(url: string, raw: string): string | null {
  const n = url.length;
  let i = 0;
  while (i < n && isBase64Char(url.charCodeAt(i))) i += 1;
  if (i < MIN_EMBEDDED_BASE64) return null;
  const run = i;
  while (i < n && i - run < 2 && url.charCodeAt(i) === 61 /* = */) i += 1;
  // The whole raw value is base64: the peeler's case. A run stopped by `-`, `_` or `.` is base64url,
  // a JWT or a file name, not a base64 payload with junk after it.
  if (i === n && url === raw) return null;
  if (i < n) {
    const c = url.charCodeAt(i);
    if (c === 45 || c === 95 || c === 46 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)) return null;
  }
  if (run % 4 === 1 || (i > run && (i % 4) !== 0)) return null;
  const text = Buffer.from(url.slice(0, run), 'base64').toString('utf8');
  if (text.indexOf('<') < 0) return null;
  let printable = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if ((c >= 32 && c !== 127 && c !== 0xfffd) || c === 9 || c === 10 || c === 13) printable += 1;
  }
  return printable >= text.length * 0.95 ? text : null;
}

/** Fullwidth and small-form variants (`＜`, `﹤`, `＂`) that NFKC folds to markup characters. */
function hasCompatibilityForms(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0xff00 && c <= 0xffef) || (c >= 0xfe50 && c <= 0xfe6f) || c === 0x2039 || c === 0x203a) return true;
  }
  return false;
}

export const xssDetector: Detector = {
  type: 'xss',
  triggers: XSS_CHARS,
  detect(input: DetectorInput): Detection | null {
    const raw = input.point.value;
    if (raw.length < 4 || (charsOf(input) & XSS_CHARS) === 0) return null;
    // Form feed and friends separate attributes (`<x%0Conload=…>`), so the first view keeps controls;
    // a view without them catches `<scr\0ipt>`-style splitting aimed at filters. Binary-looking values
    // (images, protobuf, compressed bodies) get that one view only: they are not rendered as HTML, and
    // every extra view costs a full pass.
    const view = input.decode('url', 'html');
    // While the view is the raw value, the point's character mask answers the per-view scans below
    // (controls, non-ASCII, `<`) without another pass over the value.
    const chars = charsOf(input);
    const undecoded = view === raw;
    const mayHave = (mask: number): boolean => !undecoded || (chars & mask) !== 0;
    if (mayHave(CH.CONTROL) && looksBinary(view)) {
      const bare = input.decode('url', 'html', 'nulls');
      return toDetection(input.point.isKey, analyzeView(bare), bare);
    }
    const viewChars = undecoded ? chars : ALL_CHARS;
    if (looksLikeNoise(input)) return toDetection(input.point.isKey, analyzeView(view, true, viewChars), view);
    let best = analyzeView(view, false, viewChars);
    // Nothing below can apply to an undecoded value without controls, backslashes, non-ASCII or `<` and
    // without a leading base64 run, unless a JS finding needs the transported-program check: done.
    if (undecoded && (chars & (CH.CONTROL | CH.BACKSLASH | CH.NONASCII | CH.LT)) === 0 && !startsLikeBase64(view) && (best === null || !best.rule.startsWith('xss:js:'))) {
      return toDetection(input.point.isKey, best, view, input.point);
    }
    let shown = view;
    // A JS-context finding in a transported program is capped (toDetection), so markup found in another
    // view is preferred to it, and the views below that only attacks need are still tried.
    const capped = (): boolean => best !== null && best.rule.startsWith('xss:js:') && isTransportedProgram(input.point, shown);
    /** Decoded views analyzed so far besides `view`; the re-readings at the end apply to each. */
    const views: string[] = [view];
    const consider = (candidate: string): void => {
      if (candidate !== view && views.length < 8 && !views.includes(candidate)) views.push(candidate);
      const m = analyzeView(candidate);
      if (m !== null && (best === null || m.confidence > best.confidence || (m.confidence >= 0.8 && !m.rule.startsWith('xss:js:') && capped()))) {
        best = m;
        shown = candidate;
      }
    };
    const weak = (): boolean => best === null || best.confidence < 0.9;
    if (weak() && mayHave(CH.CONTROL) && hasControls(view)) consider(input.decode('url', 'html', 'nulls'));
    if (weak() && mayHave(CH.BACKSLASH) && hasJsEscapes(view)) {
      consider(input.decode('url', 'js', 'html'));
      // A value escaped twice (`\\u003c` reflected into a JS string that is itself inside a JSON or
      // script string), or percent-encoded under its JS escapes (`\u0025 3C` → `%3C` → `<`): each
      // interpreter on the way peels one layer, so the browser ends up with the markup.
      if (weak()) {
        const chain = deeperChain(input.decode('url', 'js'));
        if (chain !== null) consider(input.decode(...chain));
      }
    }
    if (weak() && mayHave(CH.NONASCII) && hasCompatibilityForms(view)) consider(input.decode('url', 'html', 'unicode'));
    if (weak() && !undecoded && view.length < input.decode('url').length && input.decode('url').indexOf('&#') >= 0) {
      consider(htmlDecode(strictEntityDecode(input.decode('url'))));
    }
    if (weak() && view.length >= MIN_EMBEDDED_BASE64) {
      const inner = leadingBase64Text(input.decode('url'), raw);
      if (inner !== null) consider(inner);
    }
    // Re-readings of every view decoded so far (a payload may need a decoding layer and one of these):
    //  - US-ASCII with the eighth bit dropped (`¼script¾`);
    //  - `<svg+onload=alert(1)>`: form encoding (`+` for a space) that no layer undid before this one,
    //    e.g. a query string base64-encoded whole; the layer that finally form-decodes makes it markup;
    //  - an IE XML data island, with comments and CDATA joins gone.
    const decoded = views.length;
    for (let k = 0; k < decoded; k++) {
      const v = views[k];
      const some = k > 0 || !undecoded;
      if (weak() && (some || (chars & CH.NONASCII) !== 0) && v.indexOf('\u00bc') >= 0) consider(stripHighBit(v));
      if ((weak() || capped()) && v.length <= MAX_FORM_REREAD && (some || ((chars & CH.PLUS) !== 0 && (chars & CH.LT) !== 0)) && hasFormEncodedTag(v)) {
        consider(v.replace(/\+/g, ' '));
      }
      if (weak() && (some || (chars & CH.LT) !== 0) && /<xml/i.test(v)) consider(unwrapDataIsland(v));
    }
    if (capped()) {
      // The JS finding will be capped; markup in the same view (`href="?q=<script>…"`) is not code
      // carried as data, so it counts at its own weight.
      const markup = analyzeView(shown, true);
      if (markup !== null && markup.confidence >= 0.8) best = markup;
    }
    return toDetection(input.point.isKey, best, shown, input.point);
  },
};

/**
 * A whole program (or a function's source) carried as data: bot-manager and fingerprinting scripts post
 * their own (minified) JavaScript, often base64-encoded inside a form field. A JS-context finding (a breakout or a sink with
 * no markup around it) means "this text is code", which such a value always is; an injection into a JS
 * context is a short breakout, not hundreds of characters of statements. Markup rules are unaffected.
 */
function isTransportedProgram(point: DetectorInput['point'], view: string): boolean {
  // `function(){…` / `function name(a){…` / `(a) => {…`: the source text of a function, as
  // Function.prototype.toString() gives it (fingerprinting scripts send the first bytes of native and
  // page functions). An injection has to break out of its context first; this text starts a definition.
  if (FUNCTION_SOURCE.test(view)) return true;
  const long = view.length >= 512 || (view.length >= 200 && point.encodings.includes('base64'));
  if (!long) return false;
  let statements = 0;
  for (let i = 0; i < view.length && statements < 5; i++) {
    const c = view.charCodeAt(i);
    if (c === 59 /* ; */ || c === 10 /* \n */) statements += 1;
  }
  return statements >= 5 && /\bfunction\b|=>|\b(var|let|const|return)\s/.test(view);
}

const FUNCTION_SOURCE = /^\s*(async\s+)?function\s*[\w$]*\s*\([\w$,\s]*\)\s*\{|^\s*\([\w$,\s]*\)\s*=>\s*\{/;

/** Ceiling for JS-context findings in a transported program (see isTransportedProgram). */
const PROGRAM_CEILING = 0.4;

function toDetection(isKey: boolean, best: Match | null, shown: string, point?: DetectorInput['point']): Detection | null {
  if (best === null) return null;
  if (point !== undefined && best.rule.startsWith('xss:js:') && isTransportedProgram(point, shown)) {
    best = { ...best, confidence: Math.min(best.confidence, PROGRAM_CEILING) };
  }
  // Keys (parameter names, JSON keys) are reflected less often and are never markup by design.
  const confidence = isKey ? best.confidence * 0.9 : best.confidence;
  return {
    type: 'xss',
    confidence: Math.round(confidence * 100) / 100,
    detail: best.rule,
    excerpt: shown.slice(best.start, Math.min(best.end, best.start + 200)),
  };
}

