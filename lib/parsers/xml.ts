import type { ParseContext } from './context';
import { addText } from './text';

/**
 * A small XML/SOAP tokenizer of our own. It never resolves entities or fetches anything: DOCTYPE and its
 * internal subset become the point `body.xml.!doctype` (what the XXE detector looks at), element text
 * becomes `body.xml.<a>.<b>` (local names, namespace prefixes dropped), attributes `….@<attr>`,
 * processing instructions other than the XML declaration `body.xml.?<target>`. Only the five predefined
 * entities and character references are decoded; `&custom;` stays as written. Comments are skipped.
 */
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeXmlText(s: string): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) break;
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) {
      out += '&';
      i = amp + 1;
      continue;
    }
    const ref = s.slice(amp + 1, semi);
    let rep: string | undefined = PREDEFINED[ref];
    if (rep === undefined && ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref[1] === 'x' || ref[1] === 'X';
      const code = parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
      if (Number.isFinite(code) && code >= 0 && code <= 0x10ffff) rep = String.fromCodePoint(code);
    }
    if (rep === undefined) {
      out += s.slice(amp, semi + 1);
    } else out += rep;
    i = semi + 1;
  }
  return out + s.slice(i);
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon >= 0 ? qname.slice(colon + 1) : qname;
}

function isNameChar(c: number): boolean {
  return !(c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62 || c === 61 || c === 60 || c === 34 || c === 39) ;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** End of a DOCTYPE declaration: the '>' outside quotes and outside the `[ ... ]` internal subset. */
function doctypeEnd(s: string, from: number): number {
  let bracket = 0;
  let quote = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 91) bracket += 1;
    else if (c === 93) bracket = Math.max(0, bracket - 1);
    else if (c === 62 && bracket === 0) return i;
  }
  return -1;
}

export function parseXml(ctx: ParseContext, text: string, prefix = 'body.xml'): void {
  const names: string[] = [];
  const maxDepth = ctx.limits.maxDepth;
  let pending = '';
  let depth = 0;
  const here = (): string => (names.length === 0 ? prefix : `${prefix}.${names.join('.')}`);
  const currentName = (): string | undefined => (names.length === 0 ? undefined : names[names.length - 1]);
  const flushText = (): void => {
    const t = pending.trim();
    pending = '';
    if (t !== '') addText(ctx, here(), decodeXmlText(t), 'body', currentName());
  };
  const bail = (why: string, rest: string): void => {
    flushText();
    fail(ctx, why, rest, prefix);
  };
  const n = text.length;
  let i = 0;
  while (i < n && !ctx.stopped) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      pending += text.slice(i);
      break;
    }
    pending += text.slice(i, lt);
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return bail('unterminated comment', text.slice(lt));
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) return bail('unterminated CDATA section', text.slice(lt));
      pending += text.slice(lt + 9, end).replace(/&/g, '&amp;');
      i = end + 3;
      continue;
    }
    if (text.charCodeAt(lt + 1) === 33 /* ! */) {
      const end = doctypeEnd(text, lt + 2);
      const decl = end < 0 ? text.slice(lt) : text.slice(lt, end + 1);
      flushText();
      addText(ctx, `${prefix}.!${/^<!doctype/i.test(decl) ? 'doctype' : 'declaration'}`, decl, 'body', 'doctype');
      if (end < 0) return bail('unterminated declaration', '');
      i = end + 1;
      continue;
    }
    if (text.charCodeAt(lt + 1) === 63 /* ? */) {
      const end = text.indexOf('?>', lt + 2);
      const body = end < 0 ? text.slice(lt + 2) : text.slice(lt + 2, end);
      let t = 0;
      while (t < body.length && isNameChar(body.charCodeAt(t)) && !isSpace(body.charCodeAt(t))) t += 1;
      const target = body.slice(0, t);
      if (target.toLowerCase() !== 'xml') ctx.add(`${prefix}.?${target}`, body, 'body', { name: target });
      if (end < 0) return bail('unterminated processing instruction', '');
      i = end + 2;
      continue;
    }
    const gt = tagEnd(text, lt + 1);
    if (gt < 0) return bail('unterminated tag', text.slice(lt));
    flushText();
    const closing = text.charCodeAt(lt + 1) === 47;
    if (closing) {
      if (depth > 0) {
        depth -= 1;
        if (names.length > depth) names.pop();
      }
      i = gt + 1;
      continue;
    }
    const selfClosing = text.charCodeAt(gt - 1) === 47;
    const inner = text.slice(lt + 1, selfClosing ? gt - 1 : gt);
    let k = 0;
    while (k < inner.length && isNameChar(inner.charCodeAt(k))) k += 1;
    const qname = inner.slice(0, k);
    if (qname === '') {
      pending += text.slice(lt, gt + 1);
      i = gt + 1;
      continue;
    }
    depth += 1;
    if (depth <= maxDepth) names.push(localName(qname));
    else ctx.event('depth_capped', `XML nested deeper than ${maxDepth}; deeper content inspected under the capped path`, here());
    parseAttributes(ctx, inner.slice(k), here());
    if (selfClosing) {
      depth -= 1;
      if (names.length > depth) names.pop();
    }
    i = gt + 1;
  }
  flushText();
}

/** The '>' that ends a tag, skipping quoted attribute values. */
function tagEnd(s: string, from: number): number {
  let quote = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
  }
  return -1;
}

function parseAttributes(ctx: ParseContext, s: string, path: string): void {
  const n = s.length;
  let i = 0;
  while (i < n && !ctx.stopped) {
    while (i < n && isSpace(s.charCodeAt(i))) i += 1;
    const start = i;
    while (i < n && isNameChar(s.charCodeAt(i))) i += 1;
    const name = s.slice(start, i);
    if (name === '') {
      i += 1;
      continue;
    }
    while (i < n && isSpace(s.charCodeAt(i))) i += 1;
    let value = '';
    if (s.charCodeAt(i) === 61 /* = */) {
      i += 1;
      while (i < n && isSpace(s.charCodeAt(i))) i += 1;
      const q = s.charCodeAt(i);
      if (q === 34 || q === 39) {
        const end = s.indexOf(String.fromCharCode(q), i + 1);
        value = end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
        i = end < 0 ? n : end + 1;
      } else {
        const vs = i;
        while (i < n && !isSpace(s.charCodeAt(i))) i += 1;
        value = s.slice(vs, i);
      }
    }
    // Namespace declarations are URIs that only name vocabularies; nothing dereferences them.
    if (name === 'xmlns' || name.startsWith('xmlns:') || value === '') continue;
    ctx.add(`${path}.@${localName(name)}`, decodeXmlText(value), 'body', { name: localName(name) });
  }
}

function fail(ctx: ParseContext, why: string, rest: string, prefix: string): void {
  ctx.parseError(prefix, `malformed XML: ${why}`);
  if (rest !== '') addText(ctx, `${prefix}.raw`, rest, 'body');
}
