import type { DetectorInput } from './types';

/**
 * Character classes of a value, computed once per point (one pass, a table lookup per character) and
 * shared by every detector as `DetectorInput.chars`. Nearly every attack needs some punctuation — markup
 * needs `<`, a shell chain `;|&`, a lookup `${`, a traversal `.` and `/` or `\` — and nearly every benign
 * value (names, words, IDs, numbers) has none of it, so a detector's first check is one AND on this mask
 * instead of its own scan over the value. Encoded forms (`%`, `&`, `\`, non-ASCII) have their own bits:
 * a detector that decodes must treat them as "could be anything".
 */
export const CH = {
  LT: 1 << 0, //          <
  GT: 1 << 1, //          >
  SQUOTE: 1 << 2, //      '
  DQUOTE: 1 << 3, //      "
  LPAREN: 1 << 4, //      (
  RPAREN: 1 << 5, //      )
  SEMI: 1 << 6, //        ;
  PIPE: 1 << 7, //        |
  AMP: 1 << 8, //         &
  DOLLAR: 1 << 9, //      $
  BACKTICK: 1 << 10, //   `
  LBRACE: 1 << 11, //     {
  RBRACE: 1 << 12, //     }
  PERCENT: 1 << 13, //    %
  BACKSLASH: 1 << 14, //  \
  SLASH: 1 << 15, //      /
  COLON: 1 << 16, //      :
  EQUALS: 1 << 17, //     =
  HASH: 1 << 18, //       #
  STAR: 1 << 19, //       *
  DOT: 1 << 20, //        .
  AT: 1 << 21, //         @
  LBRACKET: 1 << 22, //   [
  RBRACKET: 1 << 23, //   ]
  BANG: 1 << 24, //       !
  NEWLINE: 1 << 25, //    \n \r
  CONTROL: 1 << 26, //    other C0 controls (not \t) and DEL
  NONASCII: 1 << 27, //   anything >= 0x80 (fullwidth forms, overlong-decoded bytes, U+560A ...)
  PLUS: 1 << 28, //       +
  CARET: 1 << 29, //      ^
  DASH: 1 << 30, //       -
  QUESTION: 1 << 31, //   ?  (negative as an int32: test with `!== 0`)
} as const;

/** Characters that hide others from a raw-value check: a detector that decodes views must not reject on the raw mask without them. */
export const CH_ENCODED = CH.PERCENT | CH.AMP | CH.BACKSLASH | CH.NONASCII;

const TABLE = new Int32Array(128);
(() => {
  const set = (chars: string, bit: number): void => {
    for (const c of chars) TABLE[c.charCodeAt(0)] |= bit;
  };
  set('<', CH.LT);
  set('>', CH.GT);
  set("'", CH.SQUOTE);
  set('"', CH.DQUOTE);
  set('(', CH.LPAREN);
  set(')', CH.RPAREN);
  set(';', CH.SEMI);
  set('|', CH.PIPE);
  set('&', CH.AMP);
  set('$', CH.DOLLAR);
  set('`', CH.BACKTICK);
  set('{', CH.LBRACE);
  set('}', CH.RBRACE);
  set('%', CH.PERCENT);
  set('\\', CH.BACKSLASH);
  set('/', CH.SLASH);
  set(':', CH.COLON);
  set('=', CH.EQUALS);
  set('#', CH.HASH);
  set('*', CH.STAR);
  set('.', CH.DOT);
  set('@', CH.AT);
  set('[', CH.LBRACKET);
  set(']', CH.RBRACKET);
  set('!', CH.BANG);
  set('\n\r', CH.NEWLINE);
  set('+', CH.PLUS);
  set('^', CH.CARET);
  set('-', CH.DASH);
  set('?', CH.QUESTION);
  for (let c = 0; c < 32; c++) if (c !== 9 && c !== 10 && c !== 13) TABLE[c] |= CH.CONTROL;
  TABLE[127] |= CH.CONTROL;
})();

/**
 * Classes of the characters the CH mask leaves out — white space, `_`, `,`, `0`, `x`, upper-case letters
 * — that some gates still ask about (`is there a space for SQL words to be separated by?`, `a 0x
 * prefix?`, `an _ that could start a CouchDB endpoint?`). Computed in the same pass as the CH mask
 * (see lastPlainChars). Unlike CH bits, these mean "may be present": a value whose leading plain run was
 * skipped by PLAIN_RUN has the bits of that run's classes set without a look, so a clear bit proves
 * absence and a set bit asks for the exact check the gate made before.
 */
export const PC = {
  SPACE: 1 << 0, //      ' '
  TAB: 1 << 1, //        \t
  UNDERSCORE: 1 << 2, // _
  COMMA: 1 << 3, //      ,
  ZERO: 1 << 4, //       0
  X: 1 << 5, //          x X
  UPPER: 1 << 6, //      A-Z
} as const;

/** "Any plain class may be present": points and inputs built without a mask. */
export const PC_UNKNOWN = -1;

const PLAIN_TABLE = new Int32Array(128);
(() => {
  PLAIN_TABLE[32] = PC.SPACE;
  PLAIN_TABLE[9] = PC.TAB;
  PLAIN_TABLE[95] = PC.UNDERSCORE;
  PLAIN_TABLE[44] = PC.COMMA;
  PLAIN_TABLE[48] = PC.ZERO;
  PLAIN_TABLE[120] = PC.X;
  for (let c = 65; c <= 90; c++) PLAIN_TABLE[c] = PC.UPPER;
  PLAIN_TABLE[88] |= PC.X;
})();

/** The plain classes PLAIN_RUN's character class can hold: set, unseen, when a run is skipped. */
const PLAIN_RUN_CLASSES = PC.SPACE | PC.ZERO | PC.X | PC.UPPER;

/**
 * A leading run of letters, digits and spaces (no class bits), skipped by the regex engine: its native
 * loop is about three times faster per character than charCodeAt in JavaScript here, which pays for the
 * call on long values (IDs, hashes, tokens, text up to its first punctuation). One character class,
 * sticky: linear.
 */
const PLAIN_RUN = /[A-Za-z0-9 ]*/y;
const PLAIN_RUN_FROM = 32;

/** The PC classes (may be present) of the value charMask saw last: a second result without an allocation. */
let plainOfLast = PC_UNKNOWN;

/** The CH.* classes present in `s` (one pass); the same pass leaves `s`'s PC classes in lastPlainChars(). */
export function charMask(s: string): number {
  let m = 0;
  let p = 0;
  let i = 0;
  if (s.length >= PLAIN_RUN_FROM) {
    PLAIN_RUN.lastIndex = 0;
    PLAIN_RUN.test(s);
    i = PLAIN_RUN.lastIndex;
    if (i > 0) p = PLAIN_RUN_CLASSES;
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      m |= TABLE[c];
      p |= PLAIN_TABLE[c];
    } else m |= CH.NONASCII;
  }
  plainOfLast = p;
  return m;
}

/** The PC classes of the value of the last charMask call (read it right after that call). */
export function lastPlainChars(): number {
  return plainOfLast;
}

/** The PC classes of `s` (a charMask pass). */
export function plainMask(s: string): number {
  charMask(s);
  return plainOfLast;
}

/** `input.chars` when the input carries it (inputs from createDetectorInput do), else computed. */
export function charsOf(input: DetectorInput): number {
  return input.chars ?? charMask(input.point.value);
}

/** `input.plainChars` when the input carries it, else computed (PC bits: may be present). */
export function plainCharsOf(input: DetectorInput): number {
  return input.plainChars ?? plainMask(input.point.value);
}

/** The ASCII symbol classes (everything but NEWLINE, CONTROL and NONASCII). */
const SYMBOLS = ~(CH.NEWLINE | CH.CONTROL | CH.NONASCII);

/** How many of the 29 ASCII symbol classes occur. */
export function symbolKinds(chars: number): number {
  let m = chars & SYMBOLS;
  let n = 0;
  while (m !== 0) {
    m &= m - 1;
    n += 1;
  }
  return n;
}

/** Values at least this long can be judged noise. */
export const NOISE_MIN_LENGTH = 256;
/** Symbol classes from which on a long value is random printable text rather than structured text. */
export const NOISE_MIN_SYMBOLS = 20;

/**
 * Random printable text: bot-manager sensor data, cookies encrypted into a printable alphabet. Measured on
 * the browsing corpus, structured text over 512 characters (JSON, URLs, code, prose, CSP reports) uses at
 * most 17 of the 29 symbol classes, random printable text 20 or more. No interpreter reads such a value
 * as a statement, so detectors keep their anchored rules there (a known command after `;`, a tag with a
 * handler) and drop the ones that chase evasion spellings, which symbol soup matches everywhere at great
 * cost. Padding a payload with soup therefore does not hide it from the anchored rules.
 */
export function looksLikeNoise(input: DetectorInput): boolean {
  return input.point.value.length >= NOISE_MIN_LENGTH && symbolKinds(charsOf(input)) >= NOISE_MIN_SYMBOLS;
}

/** True when the value holds any of the classes in `mask`. */
export function hasAny(chars: number, mask: number): boolean {
  return (chars & mask) !== 0;
}
