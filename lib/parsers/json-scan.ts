import { CH, charMask } from '../features';
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
}

export interface JsonScan {
  /** Strings in document order (keys before their values). */
  strings: ScannedString[];
  /** Path at which nesting passed maxDepth, or null. */
  cappedAt: string | null;
  /** An object member named `query` at the top or in a top-level array: maybe a GraphQL request. */
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

const NEXT_CHARS = ['\\', '\t'];
const BACKSLASH_AT = 0;
const TAB_AT = 1;
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

class Scanner {
  pos = 0;
  readonly strings: ScannedString[] = [];
  cappedAt: string | null = null;
  queryKey = false;

  /** Next index at or after the last query of: a backslash, a TAB (Infinity: none left). */
  readonly nextAt = [-1, -1];
  /** The text holds a TAB somewhere (pretty-printing may indent with them; one native search). */
  readonly tabs: boolean;
  /** Set by string(): the last string had escapes (its raw text was checked for controls while decoding). */
  escaped = false;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {
    this.tabs = s.indexOf('\t') >= 0;
  }

  next(kind: number, from: number): number {
    let at = this.nextAt[kind];
    if (at === Infinity || (at >= from && at !== -1)) return at;
    at = this.s.indexOf(NEXT_CHARS[kind], from);
    if (at < 0) at = Infinity;
    this.nextAt[kind] = at;
    return at;
  }

  ws(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) p += 1;
      else break;
    }
    this.pos = p;
  }

  /**
   * A string starting at the opening quote; returns its decoded text. Raw controls (which JSON forbids
   * in strings) are the caller's check when the string had no escapes (`escaped` false): a value's
   * character mask shows them at no extra pass (checkRaw), and plain keys cannot hold them. TABs have
   * no mask bit and are checked here, only when the text has any.
   */
  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    // The closing quote or a backslash ends the plain run. Each is found with the engine's native indexOf
    // and remembered until the scan passes it, so the text is searched once per character kind instead
    // of being walked character by character.
    const q = s.indexOf('"', start);
    if (q < 0) throw SYNTAX;
    let p = q;
    if (this.next(BACKSLASH_AT, start) < q) p = this.nextAt[BACKSLASH_AT];
    if (this.tabs && this.next(TAB_AT, start) < p) throw SYNTAX;
    if (p === q) {
      this.escaped = false;
      this.pos = q + 1;
      return s.slice(start, q);
    }
    // escapes: decode from here on (the rest is checked for controls character by character below)
    this.escaped = true;
    if (hasRawControl(s, start, p)) throw SYNTAX;
    let out = s.slice(start, p);
    for (;;) {
      if (p >= s.length) throw SYNTAX;
      const c = s.charCodeAt(p);
      if (c === C.QUOTE) {
        this.pos = p + 1;
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

  number(): void {
    const s = this.s;
    let p = this.pos;
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
    this.pos = p;
  }

  literal(word: string): void {
    if (!this.s.startsWith(word, this.pos)) throw SYNTAX;
    this.pos += word.length;
  }

  /** Where a child of `parent` lives: its path grows until maxDepth, then stays. */
  childPath(parent: Container, segment: string): string {
    return parent.depth + 1 <= this.maxDepth ? `${parent.path}.${segment}` : parent.path;
  }

  run(prefix: string, rootName: string | undefined): void {
    const s = this.s;
    const stack: Container[] = [];
    // the slot the next value fills: its path, name and depth
    let path = prefix;
    let name = rootName;
    let depth = 0;
    for (;;) {
      // --- a value
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === C.LBRACE || c === C.LBRACKET) {
        const isArray = c === C.LBRACKET;
        this.pos += 1;
        const box: Container = { isArray, path, name, depth, index: 0 };
        // the first container whose children would sit below maxDepth is where the cap is reported
        if (depth + 1 > this.maxDepth && this.cappedAt === null) this.cappedAt = path;
        this.ws();
        const close = s.charCodeAt(this.pos);
        if (close === (isArray ? C.RBRACKET : C.RBRACE)) {
          this.pos += 1;
        } else {
          stack.push(box);
          this.nextSlot(box, true);
          path = this.slotPath;
          name = this.slotName;
          depth = box.depth + 1;
          continue;
        }
      } else if (c === C.QUOTE) {
        const v = this.string();
        if (v !== '') {
          let chars: number | undefined;
          if (!this.escaped) {
            chars = charMask(v);
            if ((chars & MAY_BE_RAW_CONTROL) !== 0 && hasRawControl(v, 0, v.length)) throw SYNTAX;
          }
          this.strings.push({ path, value: v, name, isKey: false, chars });
        }
      } else if (c === 116) this.literal('true');
      else if (c === 102) this.literal('false');
      else if (c === 110) this.literal('null');
      else this.number();

      // --- after a value: close containers or move to the next slot
      for (;;) {
        const box = stack.length > 0 ? stack[stack.length - 1] : undefined;
        this.ws();
        if (box === undefined) {
          if (this.pos !== s.length) throw SYNTAX;
          return;
        }
        const d = s.charCodeAt(this.pos);
        if (d === C.COMMA) {
          this.pos += 1;
          this.nextSlot(box, false);
          path = this.slotPath;
          name = this.slotName;
          depth = box.depth + 1;
          break;
        }
        if (d === (box.isArray ? C.RBRACKET : C.RBRACE)) {
          this.pos += 1;
          stack.pop();
          continue;
        }
        throw SYNTAX;
      }
    }
  }

  private slotPath = '';
  private slotName: string | undefined = undefined;

  /** Moves to `box`'s next child (its first right after it opened): an array index or an object member. */
  nextSlot(box: Container, first: boolean): void {
    if (!box.isArray) {
      this.member(box);
      return;
    }
    if (!first) box.index += 1;
    this.slotPath = this.childPath(box, String(box.index));
    this.slotName = box.name;
  }

  /** `"key" :` of an object member; sets the slot of its value and records a non-plain key as a key point. */
  member(box: Container): void {
    this.ws();
    if (this.s.charCodeAt(this.pos) !== C.QUOTE) throw SYNTAX;
    const key = this.string();
    this.ws();
    if (this.s.charCodeAt(this.pos) !== C.COLON) throw SYNTAX;
    this.pos += 1;
    const child = this.childPath(box, key);
    if (!isPlainName(key)) {
      if (!this.escaped && hasRawControl(key, 0, key.length)) throw SYNTAX;
      this.strings.push({ path: child, value: key, name: key, isKey: true, chars: undefined });
    }
    if (key === 'query' && box.depth <= 1) this.queryKey = true;
    this.slotPath = child;
    this.slotName = key;
  }
}

/** Scans `text` as JSON; null when it is not valid JSON. */
export function scanJson(text: string, prefix: string, maxDepth: number, rootName?: string): JsonScan | null {
  const sc = new Scanner(text, maxDepth);
  try {
    sc.run(prefix, rootName);
  } catch (err) {
    if (err === SYNTAX) return null;
    throw err;
  }
  return { strings: sc.strings, cappedAt: sc.cappedAt, queryKey: sc.queryKey };
}

/** Adds a scan's strings as points (what walkJson would add for the same document). */
export function addScannedJson(ctx: ParseContext, scan: JsonScan, source: PointSource, encodings?: readonly string[]): void {
  if (scan.cappedAt !== null) ctx.event('depth_capped', `JSON nested deeper than ${ctx.limits.maxDepth}; deeper values inspected under the capped path`, scan.cappedAt);
  for (const p of scan.strings) {
    if (ctx.stopped) return;
    ctx.add(p.path, p.value, source, p.isKey ? { isKey: true, name: p.name, encodings } : { name: p.name, encodings, chars: p.chars });
  }
}
