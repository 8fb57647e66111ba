/**
 * A Lua 5.1 pattern matcher (`string.find`/`string.match` semantics), because Kong's schema
 * validators `match`, `not_match`, `match_all`, `match_none` and `match_any` take Lua patterns,
 * not regexes, and a plugin schema reported by the pluginserver carries them verbatim.
 *
 * Matching works on bytes (the subject is UTF-8 encoded first), like Lua. Character classes
 * follow the C locale (ASCII only). Lua's matcher backtracks; to keep a hostile pattern or
 * value from spinning, every match attempt has a step budget and fails loudly when exceeded.
 */

const MAX_STEPS = 200_000;
const MAX_CAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

export class LuaPatternError extends Error {}

interface State {
  src: string; // one char per byte (latin1 view of the UTF-8 bytes)
  pat: string;
  level: number;
  capture: Array<{ start: number; len: number }>;
  steps: number;
}

function classMatches(cls: string, c: number): boolean {
  let res: boolean;
  switch (cls.toLowerCase()) {
    case 'a': res = (c >= 65 && c <= 90) || (c >= 97 && c <= 122); break;
    case 'c': res = c < 32 || c === 127; break;
    case 'd': res = c >= 48 && c <= 57; break;
    case 'l': res = c >= 97 && c <= 122; break;
    case 'p': res = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126); break;
    case 's': res = c === 32 || (c >= 9 && c <= 13); break;
    case 'u': res = c >= 65 && c <= 90; break;
    case 'w': res = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122); break;
    case 'x': res = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); break;
    case 'g': res = c > 32 && c < 127; break;
    default: return cls.charCodeAt(0) === c;
  }
  // an upper-case class letter is the complement
  return cls >= 'A' && cls <= 'Z' ? !res : res;
}

/** Index just past the single-character class starting at `p`. */
function classEnd(ms: State, p: number): number {
  const pat = ms.pat;
  const ch = pat[p++];
  if (ch === '%') {
    if (p >= pat.length) throw new LuaPatternError('malformed pattern (ends with %)');
    return p + 1;
  }
  if (ch === '[') {
    if (pat[p] === '^') p++;
    do {
      if (p >= pat.length) throw new LuaPatternError('malformed pattern (missing ])');
      const c = pat[p++];
      if (c === '%') p++;
    } while (pat[p] !== ']');
    return p + 1;
  }
  return p;
}

function matchBracketClass(ms: State, c: number, p: number, ec: number): boolean {
  const pat = ms.pat;
  let sig = true;
  if (pat[p + 1] === '^') {
    sig = false;
    p++;
  }
  while (++p < ec) {
    if (pat[p] === '%') {
      p++;
      if (classMatches(pat[p], c)) return sig;
    } else if (pat[p + 1] === '-' && p + 2 < ec) {
      p += 2;
      if (pat.charCodeAt(p - 2) <= c && c <= pat.charCodeAt(p)) return sig;
    } else if (pat.charCodeAt(p) === c) {
      return sig;
    }
  }
  return !sig;
}

function singleMatch(ms: State, s: number, p: number, ep: number): boolean {
  if (s >= ms.src.length) return false;
  const c = ms.src.charCodeAt(s);
  switch (ms.pat[p]) {
    case '.': return true;
    case '%': return classMatches(ms.pat[p + 1], c);
    case '[': return matchBracketClass(ms, c, p, ep - 1);
    default: return ms.pat.charCodeAt(p) === c;
  }
}

function tick(ms: State): void {
  if (++ms.steps > MAX_STEPS) throw new LuaPatternError('pattern too complex (step budget exceeded)');
}

function doMatch(ms: State, s: number, p: number): number {
  tick(ms);
  const pat = ms.pat;
  if (p >= pat.length) return s;
  switch (pat[p]) {
    case '(':
      if (pat[p + 1] === ')') return startCapture(ms, s, p + 2, CAP_POSITION);
      return startCapture(ms, s, p + 1, CAP_UNFINISHED);
    case ')':
      return endCapture(ms, s, p + 1);
    case '$':
      if (p + 1 === pat.length) return s === ms.src.length ? s : -1;
      break;
    case '%': {
      const next = pat[p + 1];
      if (next === 'b') return matchBalance(ms, s, p + 2);
      if (next === 'f') {
        p += 2;
        if (pat[p] !== '[') throw new LuaPatternError("missing '[' after '%f' in pattern");
        const ep = classEnd(ms, p);
        const prev = s === 0 ? 0 : ms.src.charCodeAt(s - 1);
        const cur = s < ms.src.length ? ms.src.charCodeAt(s) : 0;
        if (!matchBracketClass(ms, prev, p, ep - 1) && matchBracketClass(ms, cur, p, ep - 1)) {
          return doMatch(ms, s, ep);
        }
        return -1;
      }
      if (next !== undefined && next >= '0' && next <= '9') {
        const l = Number(next) - 1;
        if (l < 0 || l >= ms.level || ms.capture[l].len === CAP_UNFINISHED) {
          throw new LuaPatternError('invalid capture index');
        }
        const { start, len } = ms.capture[l];
        const captured = ms.src.slice(start, start + len);
        if (ms.src.length - s >= len && ms.src.slice(s, s + len) === captured) {
          return doMatch(ms, s + len, p + 2);
        }
        return -1;
      }
      break;
    }
    default:
      break;
  }
  const ep = classEnd(ms, p);
  const m = singleMatch(ms, s, p, ep);
  switch (pat[ep]) {
    case '?': {
      if (m) {
        const res = doMatch(ms, s + 1, ep + 1);
        if (res !== -1) return res;
      }
      return doMatch(ms, s, ep + 1);
    }
    case '*':
      return maxExpand(ms, s, p, ep);
    case '+':
      return m ? maxExpand(ms, s + 1, p, ep) : -1;
    case '-':
      return minExpand(ms, s, p, ep);
    default:
      return m ? doMatch(ms, s + 1, ep) : -1;
  }
}

function maxExpand(ms: State, s: number, p: number, ep: number): number {
  let i = 0;
  while (singleMatch(ms, s + i, p, ep)) i++;
  while (i >= 0) {
    const res = doMatch(ms, s + i, ep + 1);
    if (res !== -1) return res;
    i--;
  }
  return -1;
}

function minExpand(ms: State, s: number, p: number, ep: number): number {
  for (;;) {
    const res = doMatch(ms, s, ep + 1);
    if (res !== -1) return res;
    if (singleMatch(ms, s, p, ep)) s++;
    else return -1;
  }
}

function startCapture(ms: State, s: number, p: number, what: number): number {
  if (ms.level >= MAX_CAPTURES) throw new LuaPatternError('too many captures');
  ms.capture[ms.level] = { start: s, len: what };
  ms.level++;
  const res = doMatch(ms, s, p);
  if (res === -1) ms.level--;
  return res;
}

function endCapture(ms: State, s: number, p: number): number {
  let l = -1;
  for (let i = ms.level - 1; i >= 0; i--) {
    if (ms.capture[i].len === CAP_UNFINISHED) {
      l = i;
      break;
    }
  }
  if (l < 0) throw new LuaPatternError('invalid pattern capture');
  ms.capture[l].len = s - ms.capture[l].start;
  const res = doMatch(ms, s, p);
  if (res === -1) ms.capture[l].len = CAP_UNFINISHED;
  return res;
}

function matchBalance(ms: State, s: number, p: number): number {
  if (p + 1 >= ms.pat.length) throw new LuaPatternError('missing arguments to %b');
  if (s >= ms.src.length || ms.src[s] !== ms.pat[p]) return -1;
  const open = ms.pat[p];
  const close = ms.pat[p + 1];
  let cont = 1;
  let i = s + 1;
  while (i < ms.src.length) {
    const c = ms.src[i];
    if (c === close) {
      if (--cont === 0) return doMatch(ms, i + 1, p + 2);
    } else if (c === open) {
      cont++;
    }
    i++;
  }
  return -1;
}

function toByteString(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** Lua's `string.find(subject, pattern) ~= nil`, i.e. what `value:match(pattern)` tests in Kong's validators. */
export function luaPatternFind(subject: string, pattern: string): boolean {
  const ms: State = { src: toByteString(subject), pat: toByteString(pattern), level: 0, capture: [], steps: 0 };
  let p = 0;
  const anchor = ms.pat[0] === '^';
  if (anchor) p = 1;
  let s = 0;
  do {
    ms.level = 0;
    if (doMatch(ms, s, p) !== -1) return true;
    s++;
  } while (s <= ms.src.length && !anchor);
  return false;
}

/** Throws LuaPatternError when the pattern is malformed (used by the metaschema check). */
export function checkLuaPattern(pattern: string): void {
  luaPatternFind('', pattern);
  luaPatternFind('a', pattern);
}
