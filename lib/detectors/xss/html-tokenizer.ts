/**
 * A tolerant HTML tokenizer after the HTML5 tokenization states (data, tag open, end tag open, tag name,
 * before/after attribute name, attribute value double/single/unquoted, markup declaration, comment,
 * bogus comment, CDATA). It is loose on purpose: it reports what a browser WOULD build from an injected
 * fragment, and it is tolerant of the tricks filters miss:
 *  - `<svg/onload=…>`: '/' between name and attributes, tabs/newlines/form feeds as separators;
 *  - upper case (names are lower-cased), attribute values running to the end of input (an injection
 *    into an attribute is usually closed by the page around it);
 *  - `<scr<script>ipt>`: a '<' inside a tag name restarts the tag there, the way a naive "strip one tag"
 *    filter would hand the inner tag to the browser.
 * Work is linear in the input: every loop advances `i`, and nothing is rescanned.
 */

export interface HtmlAttribute {
  /** Lower-cased attribute name as the browser would store it (may contain odd characters). */
  name: string;
  /** Raw value (not entity-decoded); null for a bare attribute. */
  value: string | null;
}

export interface HtmlTagToken {
  kind: 'start' | 'end';
  name: string;
  attrs: HtmlAttribute[];
  /** A closing '>' was seen; false means the tag ran to the end of the input. */
  closed: boolean;
  start: number;
  end: number;
}

export interface HtmlMarkupToken {
  kind: 'comment' | 'doctype' | 'cdata' | 'bogus';
  text: string;
  start: number;
  end: number;
}

export type HtmlToken = HtmlTagToken | HtmlMarkupToken;

/** Tokens beyond this are ignored: a value this tag-dense has already said what it is. */
const MAX_TOKENS = 256;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
}

function isAsciiLetter(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122);
}

/** Parses the attributes of a tag from `i` (just after the tag name); returns the index after the tag. */
function readAttributes(s: string, i: number, attrs: HtmlAttribute[]): { next: number; closed: boolean } {
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (isSpace(c) || c === '/') {
      i += 1;
      continue;
    }
    if (c === '>') return { next: i + 1, closed: true };
    // Attribute name: the first character may be anything (even '=' or a quote), then up to a separator.
    const nameStart = i;
    i += 1;
    while (i < n && !isSpace(s[i]) && s[i] !== '/' && s[i] !== '>' && s[i] !== '=') i += 1;
    const name = s.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < n && isSpace(s[j])) j += 1;
    if (s[j] !== '=') {
      attrs.push({ name, value: null });
      continue;
    }
    j += 1;
    while (j < n && isSpace(s[j])) j += 1;
    const q = s[j];
    if (q === '"' || q === "'") {
      const close = s.indexOf(q, j + 1);
      if (close < 0) {
        attrs.push({ name, value: s.slice(j + 1) });
        return { next: n, closed: false };
      }
      attrs.push({ name, value: s.slice(j + 1, close) });
      i = close + 1;
      continue;
    }
    const valueStart = j;
    while (j < n && !isSpace(s[j]) && s[j] !== '>') j += 1;
    attrs.push({ name, value: s.slice(valueStart, j) });
    i = j;
  }
  return { next: n, closed: false };
}

/** Skips a markup declaration (`<!…`), returning its token and the index after it. */
function readMarkup(s: string, lt: number): { token: HtmlMarkupToken; next: number } {
  const n = s.length;
  const rest = s.slice(lt + 2, lt + 11);
  if (rest.startsWith('--')) {
    let close = s.indexOf('-->', lt + 4);
    const bang = s.indexOf('--!>', lt + 4);
    if (bang >= 0 && (close < 0 || bang < close)) close = bang + 1;
    // `<!-->` and `<!--->` are complete (empty) comments in HTML5.
    if (s[lt + 4] === '>') close = lt + 2;
    else if (s.startsWith('->', lt + 4)) close = lt + 3;
    const end = close < 0 ? n : close + 3;
    return { token: { kind: 'comment', text: s.slice(lt + 4, close < 0 ? n : close), start: lt, end }, next: end };
  }
  if (rest.startsWith('[CDATA[')) {
    const close = s.indexOf(']]>', lt + 9);
    const end = close < 0 ? n : close + 3;
    return { token: { kind: 'cdata', text: s.slice(lt + 9, close < 0 ? n : close), start: lt, end }, next: end };
  }
  const close = s.indexOf('>', lt + 2);
  const end = close < 0 ? n : close + 1;
  const kind = rest.toLowerCase().startsWith('doctype') ? 'doctype' : 'bogus';
  return { token: { kind, text: s.slice(lt + 2, close < 0 ? n : close), start: lt, end }, next: end };
}

export function tokenizeHtml(s: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  const n = s.length;
  let i = s.indexOf('<');
  while (i >= 0 && i < n && tokens.length < MAX_TOKENS) {
    const c = s[i + 1];
    if (c === '!') {
      const { token, next } = readMarkup(s, i);
      tokens.push(token);
      i = s.indexOf('<', next);
      continue;
    }
    if (c === '?') {
      // Processing instructions are bogus comments in HTML.
      const close = s.indexOf('>', i + 2);
      const end = close < 0 ? n : close + 1;
      tokens.push({ kind: 'bogus', text: s.slice(i + 2, close < 0 ? n : close), start: i, end });
      i = s.indexOf('<', end);
      continue;
    }
    let kind: 'start' | 'end' = 'start';
    let nameStart = i + 1;
    if (c === '/') {
      if (!isAsciiLetter(s[i + 2])) {
        // `</>` is ignored; `</3` and other junk become bogus comments up to '>'.
        const close = s.indexOf('>', i + 2);
        const end = close < 0 ? n : close + 1;
        if (s[i + 2] !== '>') tokens.push({ kind: 'bogus', text: s.slice(i + 2, close < 0 ? n : close), start: i, end });
        i = s.indexOf('<', end);
        continue;
      }
      kind = 'end';
      nameStart = i + 2;
    } else if (!isAsciiLetter(c)) {
      i = s.indexOf('<', i + 1);
      continue;
    }
    let j = nameStart;
    let restart = -1;
    while (j < n && !isSpace(s[j]) && s[j] !== '/' && s[j] !== '>') {
      if (s[j] === '<') {
        restart = j;
        break;
      }
      j += 1;
    }
    if (restart >= 0) {
      i = restart;
      continue;
    }
    const name = s.slice(nameStart, j).toLowerCase();
    const attrs: HtmlAttribute[] = [];
    const { next, closed } = readAttributes(s, j, attrs);
    tokens.push({ kind, name, attrs, closed, start: i, end: next });
    i = s.indexOf('<', next);
  }
  return tokens;
}

export function isTag(t: HtmlToken): t is HtmlTagToken {
  return t.kind === 'start' || t.kind === 'end';
}
