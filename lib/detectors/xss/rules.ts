/**
 * Dangerous-construct rules over HTML tokens: which tags, attributes and URLs make an injected fragment
 * run script (or take over the page: base/form/meta refresh/link import).
 */
import { htmlDecode } from '../../decoders/html';
import { isTag, tokenizeHtml, type HtmlAttribute, type HtmlTagToken, type HtmlToken } from './html-tokenizer';
import { looksLikeScript } from './js-context';

export interface XssRuleMatch {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

/**
 * Event-handler attribute names browsers implement (HTML, SVG, legacy IE). Anything else shaped
 * `on[a-z]+` still counts, a little lower: new handlers appear every year.
 */
const EVENT_HANDLERS = new Set(
  (
    'abort activate afterprint afterscriptexecute afterupdate animationcancel animationend animationiteration ' +
    'animationstart auxclick beforeactivate beforecopy beforecut beforedeactivate beforeeditfocus beforeinput ' +
    'beforepaste beforeprint beforescriptexecute beforetoggle beforeunload beforeupdate begin blur bounce ' +
    'cancel canplay canplaythrough cellchange change click close contextmenu controlselect copy cuechange cut ' +
    'dataavailable datasetchanged datasetcomplete dblclick deactivate drag dragdrop dragend dragenter dragexit ' +
    'dragleave dragover dragstart drop durationchange emptied end ended error errorupdate filterchange finish ' +
    'focus focusin focusout formdata fullscreenchange fullscreenerror gesturechange gestureend gesturestart ' +
    'hashchange help input invalid keydown keypress keyup layoutcomplete load loadeddata loadedmetadata loadend ' +
    'loadstart losecapture message messageerror mousedown mouseenter mouseleave mousemove mouseout mouseover ' +
    'mouseup mousewheel move moveend movestart offline online outofsync pagehide pageshow paste pause play ' +
    'playing pointercancel pointerdown pointerenter pointerleave pointermove pointerout pointerover ' +
    'pointerrawupdate pointerup popstate progress propertychange ratechange readystatechange repeat reset ' +
    'resize resizeend resizestart resume reverse rowdelete rowenter rowexit rowinserted rowsdelete rowsinserted ' +
    'scroll scrollend search securitypolicyviolation seek seeked seeking select selectionchange selectstart ' +
    'show sort stalled start stop storage submit suspend synchronize syncrestored timeerror timeupdate toggle ' +
    'touchcancel touchend touchmove touchstart transitioncancel transitionend transitionrun transitionstart ' +
    'unhandledrejection unload urlflip visibilitychange volumechange waiting webkitanimationend ' +
    'webkitanimationiteration webkitanimationstart webkitmouseforcechanged webkitmouseforcedown ' +
    'webkitmouseforceup webkitmouseforcewillbegin webkitplaybacktargetavailabilitychanged ' +
    'webkittransitionend webkitwillrevealbottom wheel zoom'
  ).split(' '),
);

/** Tags that run or load script, or re-point the page, merely by being there. */
const SCRIPT_TAGS: Readonly<Record<string, number>> = {
  script: 0.93,
  iframe: 0.8,
  frame: 0.75,
  frameset: 0.7,
  object: 0.8,
  embed: 0.8,
  applet: 0.8,
  // An SVG or MathML root switches the parser into a foreign namespace, where `<style>`, `<title>` and
  // comments parse differently than the sanitizer assumed (mutation XSS); never needed in a parameter.
  svg: 0.55,
  math: 0.55,
  style: 0.6,
  base: 0.8,
  xml: 0.45,
  import: 0.7,
  isindex: 0.75,
  vmlframe: 0.8,
  xss: 0.7,
  portal: 0.75,
  template: 0.55,
  noscript: 0.55,
  plaintext: 0.6,
  xmp: 0.55,
  listing: 0.5,
  marquee: 0.55,
  'event-source': 0.7,
  layer: 0.7,
  ilayer: 0.7,
  bgsound: 0.6,
  handler: 0.7,
  'svg:svg': 0.55,
};

/** Attributes whose value is fetched or navigated to as a URL. */
const URL_ATTRIBUTES = new Set([
  'href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster', 'dynsrc', 'lowsrc',
  'code', 'codebase', 'archive', 'cite', 'longdesc', 'usemap', 'profile', 'manifest', 'ping', 'icon',
  'to', 'from', 'values', 'by', 'folder', 'datasrc', 'xml:base', 'ev:handler', 'handler', 'content',
]);

/** Schemes (and old IE wrapper schemes) scriptUrlScheme can answer with something other than null. */
const SCRIPT_SCHEME_WORDS = new Set(['javascript', 'vbscript', 'livescript', 'mocha', 'data', 'mhtml', 'feed', 'view-source', 'jar', 'pcast']);

/**
 * The lower-cased scheme of a URL that starts with a plain one (a letter, then scheme characters, then
 * `:`), else null. Nothing before the colon is skipped or decoded in that case, so when the scheme is
 * `https` or `mailto` the value is no script URL, without the slow path.
 */
function plainScheme(raw: string): string | null {
  const first = raw.charCodeAt(0);
  if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return null;
  const n = Math.min(raw.length, 32);
  for (let i = 1; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === 58 /* : */) return raw.slice(0, i).toLowerCase();
    const schemeChar = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
    if (!schemeChar) return null;
  }
  return null;
}

/** A URL scheme that runs script when navigated to or loaded. */
export function scriptUrlScheme(raw: string): string | null {
  // Browsers drop leading C0 controls/space and ASCII tab/newline anywhere in a URL; entities are decoded
  // in attribute values; CSS-ish escapes and comments are other filters' problems.
  // Leading junk that is not a letter (spaces of every kind, mojibake of them, quotes) is skipped too:
  // filters and old parsers disagree on it, and no legitimate URL starts that way.
  const plain = plainScheme(raw);
  if (plain !== null && !SCRIPT_SCHEME_WORDS.has(plain)) return null;
  const head = raw.slice(0, 240);
  if (!/script|data|mocha|mhtml|&/i.test(head)) return null;
  const decoded = htmlDecode(head);
  let s = '';
  let leading = true;
  for (let i = 0; i < decoded.length && s.length < 40 && i < 80; i++) {
    const c = decoded.charCodeAt(i);
    if (c <= 32 || c === 0x7f || (c >= 0x80 && c <= 0xa0) || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200b) || c === 0x205f || c === 0x3000 || c === 0xfeff || c === 0xfffe || c === 0xfffd) continue;
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (leading && !letter) {
      if (i > 12) return null;
      continue;
    }
    leading = false;
    s += decoded[i].toLowerCase();
  }
  // Old IE `feed:`/`view-source:` wrappers around a script URL.
  for (const wrapper of ['feed:', 'view-source:', 'jar:', 'pcast:']) if (s.startsWith(wrapper)) s = s.slice(wrapper.length);
  if (s.startsWith('javascript:')) return 'javascript';
  if (s.startsWith('vbscript:')) return 'vbscript';
  if (s.startsWith('livescript:') || s.startsWith('mocha:')) return 'livescript';
  if (s.startsWith('data:')) {
    const meta = s.slice(5, 40);
    if (meta.startsWith('text/html') || meta.startsWith('image/svg') || meta.startsWith('application/xhtml') || meta.startsWith('text/xml') || meta.startsWith('application/x-shockwave') || meta.startsWith('text/javascript') || meta.startsWith('application/javascript') || meta.startsWith('text/j') || meta.startsWith(',')) return 'data';
  }
  if (s.startsWith('mhtml:')) return 'mhtml';
  return null;
}

function handlerName(attrName: string): { name: string; known: boolean } | null {
  // `onload!#$%&()…` and `on\x0bload` still start with the handler: take the leading letters.
  if (!attrName.startsWith('on') && !attrName.includes(':on')) return null;
  const base = attrName.includes(':on') ? attrName.slice(attrName.indexOf(':on') + 1) : attrName;
  let k = 2;
  while (k < base.length && base.charCodeAt(k) >= 97 && base.charCodeAt(k) <= 122) k += 1;
  const name = base.slice(2, k);
  if (name.length < 3) return null;
  return { name, known: EVENT_HANDLERS.has(name) };
}

/** CSS as the style parser reads it: comments dropped, `\HHHHHH ` escapes decoded, `\x` → `x`. */
export function cssNormalize(value: string): string {
  let out = '';
  const n = value.length;
  let i = 0;
  while (i < n) {
    const c = value[i];
    if (c === '/' && value[i + 1] === '*') {
      const close = value.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '\\') {
      let j = i + 1;
      let cp = 0;
      while (j < n && j - i <= 6 && /[0-9a-fA-F]/.test(value[j])) {
        cp = cp * 16 + parseInt(value[j], 16);
        j += 1;
      }
      if (j > i + 1) {
        out += cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        if (value[j] === ' ' || value[j] === '\t' || value[j] === '\n') j += 1;
        i = j;
        continue;
      }
      i += 1;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

/**
 * What a style attribute value does, worst first: runs script (`expression(`, `-moz-binding`, IE
 * `behavior:`, a script URL), imports a stylesheet, hides itself from filters (`obfuscated`: see
 * cssObfuscated), or loads a resource (`url`: `url(…)` fetches from wherever the attacker says — CSS
 * exfiltration, tracking, SVG/font loading). Plain declarations (`color:red;font-weight:bold`) are null.
 */
function styleIsDangerous(value: string): string | null {
  const decoded = htmlDecode(value);
  const v = cssNormalize(decoded).toLowerCase().replace(/[\s\u0000-\u001f\u00a0\u2000-\u200b\u3000]+/g, '');
  if (v.includes('expression(')) return 'expression';
  if (v.includes('-moz-binding')) return 'moz-binding';
  if (v.includes('behavior:') || v.includes('behaviour:')) return 'behavior';
  if (v.includes('javascript:') || v.includes('vbscript:')) return 'script-url';
  if (cssObfuscated(decoded) || hasControlInUrl(decoded) || hasDeclarationBreakInUrl(decoded)) return 'obfuscated';
  if (v.includes('@import')) return 'import';
  if (loadsExternalUrl(v)) return loadsActiveDocument(v) ? 'url-document' : 'url';
  return null;
}

/**
 * A `url(…)` that pulls in a document rather than a picture: an SVG/XML/HTC/SWF file, an SVG fragment
 * (`clip-path:url(x.svg#a)`), or a url() in a property that renders or references foreign documents
 * (`content`, `clip-path`, `mask`, `marker*`, `filter`, `cursor`). That is how stored-CSS attacks load
 * script-bearing SVG; rich text loads images through `background(-image)`.
 */
const DOCUMENT_TARGET = /\.(?:svg|svgz|xml|xsl|htc|swf|html?)(?:[#?].*)?$/;
const DOCUMENT_PROPERTY = /(?:^|[;{])(?:content|clip-path|mask(?:-image)?|marker(?:-start|-mid|-end)?|filter|cursor):[^;]{0,200}url\(/;

function loadsActiveDocument(v: string): boolean {
  // each url(…) target on its own (bounded slices: no regex runs over the whole value from every url()
  for (let at = v.indexOf('url('), k = 0; at >= 0 && k < 16; at = v.indexOf('url(', at + 4), k++) {
    const close = v.indexOf(')', at + 4);
    const target = v.slice(at + 4, close < 0 ? Math.min(v.length, at + 304) : Math.min(close, at + 304)).replace(/['"]/g, '');
    if (DOCUMENT_TARGET.test(target)) return true;
  }
  return DOCUMENT_PROPERTY.test(v);
}

/**
 * `url(…)` in normalized CSS naming something to fetch. `url(#grad)` (an SVG paint server or clip path in
 * the same document) loads nothing.
 */
function loadsExternalUrl(v: string): boolean {
  for (let at = v.indexOf('url('); at >= 0; at = v.indexOf('url(', at + 4)) {
    let k = at + 4;
    if (v[k] === '"' || v[k] === "'") k += 1;
    if (v[k] !== '#' && v[k] !== ')') return true;
  }
  return false;
}

/**
 * CSS written to be read differently by a filter and by the browser's style parser: a backslash escape
 * that spells a printable ASCII character (`\63olor` is `color`, `\3A` a colon, `\27` a quote, `no\xss`).
 * Style attributes written by people or editors have none; their escapes spell non-ASCII text (`\201C`
 * quotes, `\5FAE\8F6F` CJK font names, icon-font code points) or are the old IE hacks `\9` and `\0`.
 */
function cssObfuscated(decoded: string): boolean {
  const n = decoded.length;
  for (let i = 0; i < n; i++) {
    const c = decoded.charCodeAt(i);
    if (c !== 92 /* \ */ || i + 1 >= n) continue;
    let j = i + 1;
    let cp = 0;
    while (j < n && j - i <= 6 && isHexDigit(decoded.charCodeAt(j))) {
      cp = cp * 16 + parseInt(decoded[j], 16);
      j += 1;
    }
    if (j === i + 1) cp = decoded.charCodeAt(j); // `\x`: the character itself
    if (cp > 32 && cp < 127) return true;
    i = j - 1;
  }
  return false;
}

/**
 * A control character inside `url(…)` (`url('x&#1;;color:red;/*')`, `url(/f#&#127;oo/;…)`): the filter
 * sees one opaque URL, the CSS parser an invalid URL token that it discards or ends early, so what
 * follows inside the parentheses becomes declarations. Nothing legitimate puts a control in a URL.
 * (Only inside `url(`: elsewhere a JS-unescaped view turns the CSS escape `\5FAE` into `\x05FAE`.)
 */
function hasControlInUrl(decoded: string): boolean {
  const lower = decoded.toLowerCase();
  let end = 0;
  // Each stretch is scanned once: a `url(` inside a checked stretch shares its closing parenthesis.
  for (let at = lower.indexOf('url('); at >= 0; at = lower.indexOf('url(', end)) {
    const close = lower.indexOf(')', at + 4);
    end = close < 0 ? lower.length : close;
    for (let i = at + 4; i < end; i++) {
      const c = lower.charCodeAt(i);
      if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 127) return true;
    }
  }
  return false;
}

/**
 * A `url(…)` whose target holds a declaration break: `;prop:` or a comment opener, as in
 * `url(/f#x/;color:red` + `/` + `*` + `/a.jpg)`. CSS parsers disagree on where such a url() ends, which is
 * how injected rules escape the property they were written into. `data:` URLs carry `;base64,`
 * legitimately and are skipped.
 */
function hasDeclarationBreakInUrl(decoded: string): boolean {
  const lower = decoded.toLowerCase();
  for (let at = lower.indexOf('url('), k = 0; at >= 0 && k < 16; at = lower.indexOf('url(', at + 4), k++) {
    const close = lower.indexOf(')', at + 4);
    const target = lower.slice(at + 4, close < 0 ? Math.min(lower.length, at + 304) : Math.min(close, at + 304)).replace(/^[\s'"]+/, '');
    if (target.startsWith('data:')) continue;
    if (target.indexOf('/*') >= 0 || /;\s*[a-z-]{2,32}\s*:/.test(target)) return true;
  }
  return false;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Confidence of a style finding in a tag: script first, then hiding from filters, import, resource loads.
 * A plain external `url(…)` of a picture is a hint below the default threshold: WYSIWYG editors write
 * `background-image:url(https://…/hero.jpg)` into rich text every day; one that loads a document
 * (loadsActiveDocument) or is spelled with escapes is not plain.
 */
const STYLE_CONFIDENCE: Readonly<Record<string, number>> = { obfuscated: 0.7, import: 0.6, 'url-document': 0.55, url: 0.45 };

function pick(best: XssRuleMatch | null, m: XssRuleMatch | null): XssRuleMatch | null {
  if (m === null) return best;
  return best === null || m.confidence > best.confidence ? m : best;
}

function attrRule(tag: HtmlTagToken, attr: HtmlAttribute, next: HtmlAttribute | undefined, depth: number): XssRuleMatch | null {
  const span = { start: tag.start, end: tag.end };
  const handler = handlerName(attr.name);
  if (handler !== null) {
    // `onerror/=alert(0)`: the value lands in a following attribute named `=…`.
    let value = attr.value;
    if (value === null && next !== undefined && next.name.startsWith('=')) value = next.name.slice(1);
    const script = value !== null && value.length > 0 && looksLikeScript(htmlDecode(value));
    const base = handler.known ? 0.86 : 0.7;
    const confidence = script ? base + 0.09 : value !== null ? base : handler.known ? 0.7 : 0.5;
    return { rule: `xss:handler:${handler.name}${script ? '+script' : ''}`, confidence, ...span };
  }
  if (attr.value === null) return null;
  if (attr.value.indexOf('<') >= 0 && depth < 2 && attr.name !== 'srcdoc' && attr.value.length <= 2048 && nestedLeft-- > 0) {
    // Markup inside an attribute value (`href="x?q=<script>…"`) is live wherever the value is re-reflected.
    const inner = analyzeHtml(htmlDecode(attr.value), depth + 1);
    if (inner !== null && inner.confidence >= 0.7) return { rule: `${inner.rule}~attr`, confidence: inner.confidence - 0.05, ...span };
  }
  if (attr.name === 'srcdoc') {
    const inner = depth < 2 ? analyzeHtml(htmlDecode(attr.value), depth + 1) : null;
    return { rule: 'xss:attr:srcdoc', confidence: inner !== null ? Math.max(0.9, inner.confidence) : 0.7, ...span };
  }
  if (attr.name === 'style') {
    const style = styleIsDangerous(attr.value);
    if (style !== null) return { rule: `xss:style:${style}`, confidence: STYLE_CONFIDENCE[style] ?? 0.88, ...span };
    return null;
  }
  if (URL_ATTRIBUTES.has(attr.name) || attr.name.endsWith(':href')) {
    let value = attr.value;
    // `<meta http-equiv=refresh content="0;url=javascript:…">`
    if (attr.name === 'content') {
      const at = value.toLowerCase().indexOf('url=');
      if (at < 0) return null;
      value = value.slice(at + 4);
    }
    const scheme = scriptUrlScheme(value);
    if (scheme !== null) return { rule: `xss:url:${scheme}:${attr.name}`, confidence: tag.name === 'a' && !tag.closed ? 0.85 : 0.92, ...span };
    return embeddedScriptUrl(value, depth, span);
  }
  return null;
}

/**
 * A URL attribute that is not itself a script URL but carries one: a `data:` URL of another media
 * type whose base64 body is markup with script (browsers sniff some), or `javascript:` + code behind a
 * mangled prefix (`jav&#65ascript:javascript:alert(1)`), which nobody writes into a link by accident.
 */
function embeddedScriptUrl(raw: string, depth: number, span: { start: number; end: number }): XssRuleMatch | null {
  const value = htmlDecode(raw);
  const lower = value.toLowerCase();
  if (lower.trimStart().startsWith('data:') && depth < 2) {
    const marker = lower.indexOf('base64');
    const comma = lower.indexOf(',', marker);
    if (marker > 0 && comma > marker) {
      const body = value.slice(comma + 1).replace(/[\s]+/g, '');
      if (body.length >= 12 && body.length <= 4096 && /^[A-Za-z0-9+/]+=*$/.test(body)) {
        const inner = analyzeHtml(Buffer.from(body, 'base64').toString('latin1'), depth + 1);
        if (inner !== null && inner.confidence >= 0.8) return { rule: `xss:url:data-base64:${inner.rule}`, confidence: inner.confidence - 0.05, ...span };
      }
    }
  }
  const at = lower.indexOf('javascript:', 1);
  if (at > 0 && looksLikeScript(value.slice(at + 11, at + 211))) return { rule: 'xss:url:embedded-javascript', confidence: 0.65, ...span };
  return null;
}

/** Letters, digits, `-` (custom elements), `:` and `_` (namespaced XML names): a name as written. */
function isPlainTagName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 58 || c === 95)) return false;
  }
  return true;
}

/**
 * A tag whose attributes are glued to its name with characters that are no separators to a standard
 * parser (`<img[x]src=x[x]onerror=[x]"alert(1)">`, `<img\x00src=x\x00onerror=…>` after a layer that
 * dropped the separators): the name swallows them, but the construct is written for parsers and filters
 * that split there (old IE, lenient sanitizers, a later layer that restores the separators). A known
 * event handler inside the name, after a non-letter, whose value (quotes and junk ignored) reads as
 * code, is what such a payload is for.
 */
function gluedHandler(tag: HtmlTagToken): XssRuleMatch | null {
  const name = tag.name;
  let tries = 0;
  for (let at = name.indexOf('on', 1); at > 0 && tries < 8; at = name.indexOf('on', at + 2)) {
    const before = name.charCodeAt(at - 1);
    if (before >= 97 && before <= 122) continue;
    let k = at + 2;
    while (k < name.length && name.charCodeAt(k) >= 97 && name.charCodeAt(k) <= 122) k += 1;
    const handler = name.slice(at + 2, k);
    if (!EVENT_HANDLERS.has(handler) || name[k] !== '=') continue;
    tries += 1;
    // The value: the rest of the name and of the tag, quotes dropped (junk may sit before the quote).
    let value = name.slice(k + 1, k + 201);
    for (const a of tag.attrs) {
      if (value.length >= 200) break;
      value += ` ${a.name}${a.value === null ? '' : `=${a.value}`}`;
    }
    if (looksLikeScript(htmlDecode(value.replace(/["'`]/g, ' ')))) {
      return { rule: `xss:handler-glued:${handler}+script`, confidence: 0.85, start: tag.start, end: tag.end };
    }
  }
  return null;
}

/**
 * `data:image/svg+xml,<svg …>`: the tag is the content of an image URL (icons in CSS, performance
 * beacons reporting an image's URL), rendered as an image, where nothing runs; script inside it is still
 * judged by its handlers and tags.
 */
function isDataImageContent(s: string, at: number): boolean {
  const before = s.slice(Math.max(0, at - 80), at).toLowerCase();
  const data = before.lastIndexOf('data:image/');
  return data >= 0 && /^data:image\/[a-z0-9.+-]+(;[^,<>]{0,40})?,\s*$/.test(before.slice(data));
}

function tagRule(tag: HtmlTagToken, depth: number, s: string): XssRuleMatch | null {
  let best: XssRuleMatch | null = null;
  const span = { start: tag.start, end: tag.end };
  const name = tag.name;
  for (let k = 0; k < tag.attrs.length; k++) best = pick(best, attrRule(tag, tag.attrs[k], tag.attrs[k + 1], depth));
  if (tag.kind === 'end') {
    if (name === 'script' || name === 'style' || name === 'title' || name === 'textarea' || name === 'noscript' || name === 'xmp' || name === 'iframe') {
      // Closing a raw-text element is how a value escapes a script/style block into markup.
      return pick(best, { rule: `xss:close:${name}`, confidence: name === 'script' ? 0.75 : 0.55, ...span });
    }
    return best;
  }
  const tagScore = SCRIPT_TAGS[name];
  // A bare tag (`<b>`, `<john@example.com>`) matters only by its name: listed, a form, or glued junk.
  if (tag.attrs.length === 0 && tagScore === undefined && name !== 'form') return name.length > 2 && !isPlainTagName(name) ? gluedHandler(tag) : null;
  if (name.length > 2 && !isPlainTagName(name)) best = pick(best, gluedHandler(tag));
  if (tagScore !== undefined && !((name === 'svg' || name === 'svg:svg') && isDataImageContent(s, tag.start))) {
    let c = tagScore;
    if (name === 'script' && !tag.closed) c = 0.85;
    else if (!tag.closed && c > 0.6) c -= 0.1;
    best = pick(best, { rule: `xss:tag:${name}`, confidence: c, ...span });
  }
  const attr = (n: string): string | null => {
    for (const a of tag.attrs) if (a.name === n) return a.value ?? '';
    return null;
  };
  if (name === 'meta') {
    const equiv = (attr('http-equiv') ?? '').toLowerCase();
    if (equiv === 'refresh' || equiv === 'set-cookie' || equiv === 'link' || equiv === 'content-security-policy') {
      best = pick(best, { rule: `xss:meta:${equiv}`, confidence: 0.85, ...span });
    } else if (/utf-?7|imap/i.test(`${attr('charset') ?? ''} ${attr('content') ?? ''}`)) {
      best = pick(best, { rule: 'xss:meta:charset', confidence: 0.8, ...span });
    }
  } else if (name === 'link') {
    const rel = (attr('rel') ?? '').toLowerCase();
    if (rel.includes('import') || rel.includes('stylesheet') || rel.includes('preload') || rel.includes('modulepreload')) {
      best = pick(best, { rule: `xss:link:${rel.split(/\s+/)[0]}`, confidence: rel.includes('import') ? 0.85 : 0.6, ...span });
    }
  } else if (name === 'form') {
    // An injected form takes the inputs that follow it (or the ones it brings): credentials typed into
    // it go wherever its action points, or back to the page with the attacker's fields.
    best = pick(best, attr('action') !== null ? { rule: 'xss:form:action', confidence: 0.6, ...span } : { rule: 'xss:form', confidence: 0.55, ...span });
  } else if ((name === 'button' || name === 'input') && attr('formaction') !== null) {
    best = pick(best, { rule: 'xss:formaction', confidence: 0.65, ...span });
  } else if (/(^|:)(animate|set)$/.test(name) && /^(on|xlink:href|href|innerhtml|outerhtml)/.test((attr('attributename') ?? '').toLowerCase())) {
    best = pick(best, { rule: 'xss:svg:animate', confidence: 0.85, ...span });
  }
  // XML Events: `<listener event="load" handler="#x">` runs the script element the handler points to.
  if ((name === 'listener' || name.endsWith(':listener')) && attr('event') !== null && (attr('handler') ?? attr('ev:handler')) !== null) {
    best = pick(best, { rule: 'xss:xml-events:listener', confidence: 0.7, ...span });
  }
  if (name === 'xml' && attr('src') !== null) best = pick(best, { rule: 'xss:xml:src', confidence: 0.65, ...span });
  if (attr('datasrc') !== null && (attr('dataformatas') ?? '').toLowerCase() === 'html') {
    best = pick(best, { rule: 'xss:databinding', confidence: 0.65, ...span });
  }
  return best;
}

/**
 * Finds the most dangerous construct in `s` read as HTML. Comments are read again as HTML (lower):
 * conditional comments and filters that mis-parse `--!>` hand their contents to some parsers.
 */
/**
 * Markup nested in attribute values and comments is analyzed again, at most this many times per value:
 * an unclosed quote makes the rest of the input one attribute value, so tag-dense text (symbol soup,
 * minified markup) would otherwise be re-tokenized once per tag.
 */
const MAX_NESTED = 8;
let nestedLeft = MAX_NESTED;

export function analyzeHtml(s: string, depth = 0): XssRuleMatch | null {
  if (s.indexOf('<') < 0) return null;
  if (depth === 0) nestedLeft = MAX_NESTED;
  const tokens: HtmlToken[] = tokenizeHtml(s);
  let best: XssRuleMatch | null = null;
  for (const t of tokens) {
    if (isTag(t)) {
      best = pick(best, tagRule(t, depth, s));
    } else if (t.kind === 'bogus' && /^(import|xml:namespace)\b/i.test(t.text) && /implementation\s*=/i.test(t.text)) {
      // IE `<?import namespace=… implementation="x.htc">` loads a behaviour (script).
      best = pick(best, { rule: 'xss:import:htc', confidence: 0.8, start: t.start, end: t.end });
    } else if ((t.kind === 'comment' || t.kind === 'bogus' || t.kind === 'cdata') && depth < 2 && t.text.length <= 2048 && t.text.indexOf('<') >= 0 && nestedLeft-- > 0) {
      const inner = analyzeHtml(t.text, depth + 1);
      if (inner !== null) best = pick(best, { ...inner, rule: `${inner.rule}~${t.kind}`, confidence: inner.confidence - 0.05, start: t.start, end: t.end });
    }
    if (best !== null && best.confidence >= 0.95) break;
  }
  return best;
}

/**
 * Attribute injection without a new tag: the value closes the attribute it is reflected into and adds
 * a handler (`" onmouseover=prompt(1) x="`, `' autofocus onfocus=alert(1)//`). Needs a separator
 * (space, quote, slash) before `on…=`, so query strings like `a=1&onboarding=true` do not qualify.
 */
export function analyzeAttributeInjection(s: string): XssRuleMatch | null {
  // What the scan below needs, without lower-casing the value: a separator, `on` and three letters
  // (U+212A and U+0130 lower-case to ASCII letters).
  if (!/[\u0000-\u0020"'/`][oO][nN][a-zA-Z\u212a\u0130]{3}/.test(s)) return null;
  const lower = s.toLowerCase();
  let at = lower.indexOf('on');
  let best: XssRuleMatch | null = null;
  let guard = 0;
  while (at >= 0 && guard < 64) {
    guard += 1;
    if (at > 0 && isAttributeSeparator(lower.charCodeAt(at - 1))) {
      let k = at + 2;
      while (k < lower.length && lower.charCodeAt(k) >= 97 && lower.charCodeAt(k) <= 122) k += 1;
      const name = lower.slice(at + 2, k);
      let j = k;
      while (j < lower.length && (lower[j] === ' ' || lower[j] === '\t' || lower[j] === '\n' || lower[j] === '\r' || lower[j] === '\f')) j += 1;
      if (name.length >= 3 && lower[j] === '=' && lower[j + 1] !== '=') {
        let v = s.slice(j + 1).replace(/^[\s]+/, '');
        const q = v[0];
        if (q === '"' || q === "'" || q === '`') {
          const close = v.indexOf(q, 1);
          v = v.slice(1, close < 0 ? v.length : close);
        } else {
          const sp = v.search(/[\s>]/);
          v = sp < 0 ? v : v.slice(0, sp);
        }
        const known = EVENT_HANDLERS.has(name);
        const script = v.length > 0 && looksLikeScript(htmlDecode(v));
        const confidence = known ? (script ? 0.88 : 0.45) : script ? 0.7 : 0;
        if (confidence > 0) best = pick(best, { rule: `xss:attr-injection:${name}${script ? '+script' : ''}`, confidence, start: Math.max(0, at - 1), end: Math.min(s.length, j + 1 + v.length + 2) });
        if (best !== null && best.confidence >= 0.88) return best;
      }
    }
    at = lower.indexOf('on', at + 2);
  }
  return best;
}

/**
 * What can end an attribute (value) before an injected one: whitespace, quotes, `/`, and C0 controls —
 * old IE and some server-side sanitizers treat every control as whitespace (`src=x\x10onerror=…`).
 */
function isAttributeSeparator(c: number): boolean {
  return c <= 32 || c === 34 /* " */ || c === 39 /* ' */ || c === 47 /* / */ || c === 96 /* ` */;
}

/**
 * `" style=x:expression(alert(1)) x="` / `<// style=…>`: a style attribute added to the reflecting tag,
 * read as CSS (escapes and comments undone) for the constructs that run script.
 */
export function analyzeStyleInjection(s: string): XssRuleMatch | null {
  if (!/[\u0000-\u0020"'/`]style/i.test(s)) return null;
  const lower = s.toLowerCase();
  let guard = 0;
  for (let at = lower.indexOf('style'); at > 0 && guard < 16; at = lower.indexOf('style', at + 5)) {
    guard += 1;
    if (!isAttributeSeparator(lower.charCodeAt(at - 1))) continue;
    let j = at + 5;
    while (j < lower.length && lower.charCodeAt(j) <= 32) j += 1;
    if (lower[j] !== '=') continue;
    j += 1;
    while (j < lower.length && lower.charCodeAt(j) <= 32) j += 1;
    const q = s[j];
    let end: number;
    if (q === '"' || q === "'" || q === '`') {
      const close = s.indexOf(q, j + 1);
      end = close < 0 ? s.length : close;
      j += 1;
    } else {
      end = j;
      while (end < s.length && s.charCodeAt(end) > 32 && s[end] !== '>') end += 1;
    }
    const style = styleIsDangerous(s.slice(j, Math.min(end, j + 2048)));
    if (style !== null && STYLE_CONFIDENCE[style] === undefined) return { rule: `xss:style-injection:${style}`, confidence: 0.85, start: at - 1, end };
  }
  return null;
}

/**
 * A DTD attribute-list entry giving a handler a default value (`<!ATTLIST img onerror CDATA "alert(1)">`):
 * every element of that name in the document then carries the handler. Matched as the entry's grammar,
 * `on<handler> CDATA "<script>"`, since the `<!ATTLIST` may be outside the value.
 */
export function analyzeAttlistDefault(s: string): XssRuleMatch | null {
  const m = /(?:^|[\s"'(])on([a-z]{3,40})\s+cdata\s+(?:#fixed\s+)?(["'])([^"']{1,500})/i.exec(s.slice(0, 4096));
  if (m === null || !EVENT_HANDLERS.has(m[1].toLowerCase()) || !looksLikeScript(htmlDecode(m[3]))) return null;
  return { rule: `xss:attlist:${m[1].toLowerCase()}`, confidence: 0.8, start: m.index, end: m.index + m[0].length + 1 };
}

/** UTF-7 markup (`+ADw-script+AD4-`): old IE sniffed it; some back ends still decode it. */
export function analyzeUtf7(s: string): XssRuleMatch | null {
  const at = s.indexOf('+ADw-');
  if (at < 0) return null;
  const after = s.slice(at + 5, at + 20).toLowerCase();
  if (/^\/?(script|img|svg|iframe|body|a |a\+)/.test(after)) return { rule: 'xss:utf7', confidence: 0.8, start: at, end: Math.min(s.length, at + 40) };
  return null;
}
