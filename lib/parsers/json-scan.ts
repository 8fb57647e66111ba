import { CH, charMask, lastPlainChars } from '../features';
import type { PointSource } from '../types';
import type { ParseContext } from './context';
import { isPlainName } from './query';

/**
 * One-pass JSON scanner for bodies: validates the text as strict JSON (RFC 8259, as JSON.parse does) and
 * collects its strings with their paths, without building the object tree that JSON.parse + a walk
 * would build and then throw away. On a 2 KB API body this is several times cheaper than the pair, and it
 * inspects every member of an object even when a key repeats (JSON.parse keeps only the last, while
 * back ends disagree on which one they use: a WAF must see both).
 *
 * Points come out exactly as walkJson makes them: `prefix.user.name`, arrays by index, a key point
 * before its value when the key is not a plain identifier, paths that stop growing below maxDepth (one
 * depth_capped event). Nothing is added unless the whole text is valid, so malformed JSON keeps its
 * parse_error + raw-text treatment in the caller.
 */

export interface ScannedString {
  path: string;
  value: string;
  name: string | undefined;
  isKey: boolean;
  /** The value's charMask when the scan computed it (strings without escapes), else undefined. */
  chars: number | undefined;
  /** lastPlainChars() of that charMask, with `chars`. */
  plainChars: number | undefined;
}

export interface JsonScan {
  /** Strings in document order (keys before their values). */
  strings: ScannedString[];
  /** Path at which nesting passed maxDepth, or null. */
  cappedAt: string | null;
  /**
   * An object member named `query` at the top or in a top-level array: maybe a GraphQL request. With
   * `stopAtQueryKey` the scan ends there (the caller parses the document as GraphQL instead): `strings`
   * then hold only what came before it, and the rest of the text was not validated.
   */
  queryKey: boolean;
}

const enum C {
  TAB = 9,
  LF = 10,
  CR = 13,
  SPACE = 32,
  QUOTE = 34,
  PLUS = 43,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  ZERO = 48,
  NINE = 57,
  COLON = 58,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  LBRACE = 123,
  RBRACE = 125,
}

/** Mask bits of the characters JSON forbids raw inside strings (TAB has no bit: see `tabs`); CONTROL also covers DEL, which JSON allows. */
const MAY_BE_RAW_CONTROL = CH.CONTROL | CH.NEWLINE;

/** A raw C0 control in s[start, end) (what JSON forbids inside a string). */
function hasRawControl(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Thrown (and caught in scanJson) on the first syntax error; carries no message: the caller asks JSON.parse for one. */
class JsonSyntaxError {}
const SYNTAX = new JsonSyntaxError();

interface Container {
  isArray: boolean;
  path: string;
  name: string | undefined;
  depth: number;
  index: number;
}

/** What the scanner expects next. */
const enum Expect {
  VALUE,
  /** After a value: `,` or the container's close. */
  AFTER,
  /** An object member's key (after `{` or `,` in an object). */
  KEY,
}

/** Where decodeEscaped stopped: the index after the closing quote (one scan at a time, no allocation). */
let escapedEnd = 0;

/**
 * The text of a string with escapes, decoding from `p` (the first backslash) to the closing quote; sets
 * escapedEnd. Raw controls anywhere in it are syntax errors.
 */
function decodeEscaped(s: string, start: number, p: number): string {
  if (hasRawControl(s, start, p)) throw SYNTAX;
  let out = s.slice(start, p);
  for (;;) {
    if (p >= s.length) throw SYNTAX;
    const c = s.charCodeAt(p);
    if (c === C.QUOTE) {
      escapedEnd = p + 1;
      return out;
    }
    if (c < 0x20) throw SYNTAX;
    if (c !== C.BACKSLASH) {
      let e = p + 1;
      while (e < s.length) {
        const d = s.charCodeAt(e);
        if (d === C.QUOTE || d === C.BACKSLASH || d < 0x20) break;
        e += 1;
      }
      out += s.slice(p, e);
      p = e;
      continue;
    }
    const esc = s.charCodeAt(p + 1);
    switch (esc) {
      case 34: out += '"'; break;
      case 92: out += '\\'; break;
      case 47: out += '/'; break;
      case 98: out += '\b'; break;
      case 102: out += '\f'; break;
      case 110: out += '\n'; break;
      case 114: out += '\r'; break;
      case 116: out += '\t'; break;
      case 117: {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const h = s.charCodeAt(p + k);
          const v = h >= 48 && h <= 57 ? h - 48 : h >= 65 && h <= 70 ? h - 55 : h >= 97 && h <= 102 ? h - 87 : -1;
          if (v < 0) throw SYNTAX;
          code = code * 16 + v;
        }
        out += String.fromCharCode(code);
        p += 6;
        continue;
      }
      default:
        throw SYNTAX;
    }
    p += 2;
  }
}

/** The end of a number starting at `p` (strict JSON grammar). */
function numberEnd(s: string, p: number): number {
  if (s.charCodeAt(p) === C.MINUS) p += 1;
  let c = s.charCodeAt(p);
  if (c === C.ZERO) p += 1;
  else if (c > C.ZERO && c <= C.NINE) {
    while ((c = s.charCodeAt(++p)) >= C.ZERO && c <= C.NINE);
  } else throw SYNTAX;
  if (s.charCodeAt(p) === C.DOT) {
    p += 1;
    c = s.charCodeAt(p);
    if (!(c >= C.ZERO && c <= C.NINE)) throw SYNTAX;
    while ((c = s.charCodeAt(++p)) >= C.ZERO && c <= C.NINE);
  }
  c = s.charCodeAt(p);
  if (c === 101 || c === 69) {
    p += 1;
    c = s.charCodeAt(p);
    if (c === C.PLUS || c === C.MINUS) p += 1;
    c = s.charCodeAt(p);
    if (!(c >= C.ZERO && c <= C.NINE)) throw SYNTAX;
    while ((c = s.charCodeAt(++p)) >= C.ZERO && c <= C.NINE);
  }
  return p;
}

/**
 * The scan itself: one loop over tokens with all state in local variables (the position never leaves a
 * register, no per-token method calls), expecting a value, a key, or what follows a value.
 */
function scan(s: string, prefix: string, maxDepth: number, rootName: string | undefined, stopAtQueryKey: boolean): JsonScan {
  const strings: ScannedString[] = [];
  const stack: Container[] = [];
  let cappedAt: string | null = null;
  let queryKey = false;
  // The closing quote or a backslash ends a string's plain run. Backslashes and TABs are found with the
  // engine's native indexOf and remembered until the scan passes them, so the text is searched once per
  // character kind instead of being walked character by character (-1: not searched yet; Infinity: none
  // left). Raw controls are checked on each value's character mask (no extra pass); plain keys cannot
  // hold them; TABs have no mask bit and are searched for only when the text has any.
  let nextBackslash = -1;
  let nextTab = s.indexOf('\t') >= 0 ? -1 : Infinity;
  let pos = 0;
  let expect = Expect.VALUE;
  // the slot the next value fills: its path, name and depth
  let path = prefix;
  let name = rootName;
  let depth = 0;
  let box: Container | undefined;
  for (;;) {
    // white space is skipped inline here and below: a skipWhiteSpace(s, pos) helper was not inlined by
    // V8 and cost 4 % more instructions per 2 KB request (npm run bench:instructions)
    let c = s.charCodeAt(pos);
    while (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) c = s.charCodeAt(++pos);

    if (expect === Expect.AFTER) {
      if (box === undefined) {
        if (pos !== s.length) throw SYNTAX;
        return { strings, cappedAt, queryKey };
      }
      if (c === C.COMMA) {
        pos += 1;
        if (box.isArray) {
          box.index += 1;
          path = box.depth + 1 <= maxDepth ? `${box.path}.${box.index}` : box.path;
          name = box.name;
          depth = box.depth + 1;
          expect = Expect.VALUE;
        } else expect = Expect.KEY;
        continue;
      }
      if (c !== (box.isArray ? C.RBRACKET : C.RBRACE)) throw SYNTAX;
      pos += 1;
      stack.pop();
      box = stack.length > 0 ? stack[stack.length - 1] : undefined;
      continue;
    }

    // a string: a value or a key
    let text: string | null = null;
    let escaped = false;
    if (c === C.QUOTE) {
      const start = pos + 1;
      const q = s.indexOf('"', start);
      if (q < 0) throw SYNTAX;
      if (nextBackslash !== Infinity && nextBackslash < start) {
        nextBackslash = s.indexOf('\\', start);
        if (nextBackslash < 0) nextBackslash = Infinity;
      }
      const p = nextBackslash < q ? nextBackslash : q;
      if (nextTab !== Infinity && nextTab < p) {
        if (nextTab >= start) throw SYNTAX;
        nextTab = s.indexOf('\t', start);
        if (nextTab < 0) nextTab = Infinity;
        else if (nextTab < p) throw SYNTAX;
      }
      if (p === q) {
        text = s.slice(start, q);
        pos = q + 1;
      } else {
        text = decodeEscaped(s, start, p);
        escaped = true;
        pos = escapedEnd;
      }
    }

    if (expect === Expect.KEY) {
      if (text === null || box === undefined) throw SYNTAX;
      c = s.charCodeAt(pos);
      while (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) c = s.charCodeAt(++pos);
      if (c !== C.COLON) throw SYNTAX;
      pos += 1;
      path = box.depth + 1 <= maxDepth ? `${box.path}.${text}` : box.path;
      if (!isPlainName(text)) {
        if (!escaped && hasRawControl(text, 0, text.length)) throw SYNTAX;
        strings.push({ path, value: text, name: text, isKey: true, chars: undefined, plainChars: undefined });
      }
      if (text === 'query' && box.depth <= 1) {
        queryKey = true;
        if (stopAtQueryKey) return { strings, cappedAt, queryKey };
      }
      name = text;
      depth = box.depth + 1;
      expect = Expect.VALUE;
      continue;
    }

    // --- a value
    expect = Expect.AFTER;
    if (text !== null) {
      if (text !== '') {
        let chars: number | undefined;
        let plainChars: number | undefined;
        if (!escaped) {
          chars = charMask(text);
          plainChars = lastPlainChars();
          if ((chars & MAY_BE_RAW_CONTROL) !== 0 && hasRawControl(text, 0, text.length)) throw SYNTAX;
        }
        strings.push({ path, value: text, name, isKey: false, chars, plainChars });
      }
    } else if (c === C.LBRACE || c === C.LBRACKET) {
      const isArray = c === C.LBRACKET;
      pos += 1;
      // the first container whose children would sit below maxDepth is where the cap is reported
      if (depth + 1 > maxDepth && cappedAt === null) cappedAt = path;
      let d = s.charCodeAt(pos);
      while (d === C.SPACE || d === C.LF || d === C.CR || d === C.TAB) d = s.charCodeAt(++pos);
      if (d === (isArray ? C.RBRACKET : C.RBRACE)) {
        pos += 1; // empty: a finished value
      } else {
        box = { isArray, path, name, depth, index: 0 };
        stack.push(box);
        if (isArray) {
          path = depth + 1 <= maxDepth ? `${path}.0` : path;
          depth += 1;
          expect = Expect.VALUE;
        } else expect = Expect.KEY;
      }
    } else if (c === 116) {
      if (!s.startsWith('true', pos)) throw SYNTAX;
      pos += 4;
    } else if (c === 102) {
      if (!s.startsWith('false', pos)) throw SYNTAX;
      pos += 5;
    } else if (c === 110) {
      if (!s.startsWith('null', pos)) throw SYNTAX;
      pos += 4;
    } else pos = numberEnd(s, pos);
  }
}

/** Scans `text` as JSON; null when it is not valid JSON (see JsonScan.queryKey for `stopAtQueryKey`). */
export function scanJson(text: string, prefix: string, maxDepth: number, rootName?: string, stopAtQueryKey = false): JsonScan | null {
  try {
    return scan(text, prefix, maxDepth, rootName, stopAtQueryKey);
  } catch (err) {
    if (err === SYNTAX) return null;
    throw err;
  }
}

/** Adds a scan's strings as points (what walkJson would add for the same document). */
export function addScannedJson(ctx: ParseContext, scan: JsonScan, source: PointSource, encodings?: readonly string[]): void {
  if (scan.cappedAt !== null) ctx.event('depth_capped', `JSON nested deeper than ${ctx.limits.maxDepth}; deeper values inspected under the capped path`, scan.cappedAt);
  for (const p of scan.strings) {
    if (ctx.stopped) return;
    ctx.add(p.path, p.value, source, p.isKey ? { isKey: true, name: p.name, encodings } : { name: p.name, encodings, chars: p.chars, plainChars: p.plainChars });
  }
}
