import { decodeBase64Text } from '../../decoders/base64';
import { urlDecode } from '../../decoders/url';
import { CH, charsOf, looksLikeNoise } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { firstWordIsCommand, isCommandNameAt } from './commands';
import { analyzeCode } from './code-injection';
import { analyzeShell, type CmdFinding } from './grammar';

/**
 * OS command injection (Unix sh and Windows cmd/PowerShell) and the code-execution calls that command
 * injection lists carry (PHP/Python/Node/Java, SSI). Shell tokenizer + command grammar, see grammar.ts.
 */

/** Characters without which a value can neither chain, substitute nor call anything: ; | & ` $ ( newline < { ^ % \\ */
const SHELL_CHARS = CH.SEMI | CH.PIPE | CH.AMP | CH.BACKTICK | CH.DOLLAR | CH.LPAREN | CH.NEWLINE | CH.LT | CH.LBRACE | CH.CARET | CH.PERCENT | CH.BACKSLASH;

const MAX_LEN = 4096;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 94;
}

/**
 * The cheap part of the grammar: is there any command position (value start, or after an operator)
 * whose next word is a known command or is spelled in a way only an evasion would spell it (quotes,
 * escapes, braces, variables, a path)? Values without one skip the tokenizer altogether.
 */
function candidates(v: string, knownOnly: boolean): number[] {
  const found: number[] = [];
  if (firstWordIsCommand(v)) found.push(0);
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    // ; | & newline CR backtick ( and $(
    if (!(c === 59 || c === 124 || c === 38 || c === 10 || c === 13 || c === 96 || c === 40)) continue;
    let j = i + 1;
    while (j < n && j - i < 8) {
      const d = v.charCodeAt(j);
      if (d === 32 || d === 9 || d === 124 || d === 38 || d === 10 || d === 13 || d === 40 || d === 96) j += 1;
      else break;
    }
    if (j >= n) continue;
    const d = v.charCodeAt(j);
    // ' " \ { $ / ^ %
    // ' " \ { $ / ^ %  (an evasion spelling; not counted in symbol soup, where it is everywhere)
    let hit = !knownOnly && (d === 39 || d === 34 || d === 92 || d === 123 || d === 36 || d === 47 || d === 94 || d === 37);
    if (!hit) {
      let e = j;
      while (e < n && e - j <= 32 && isWordChar(v.charCodeAt(e))) e += 1;
      // a word cut short by a quote, an escape or an expansion is spelled to dodge filters (`c'a't`, `w$@hoami`)
      const cut = e < n && !knownOnly ? v.charCodeAt(e) : 0;
      hit = e > j && (isCommandNameAt(v, j, e) || cut === 39 || cut === 34 || cut === 92 || cut === 36);
    }
    if (hit) {
      found.push(i);
      if (found.length >= MAX_WINDOWS) break;
    }
    i = j - 1;
  }
  return found;
}

const MAX_WINDOWS = 8;
/** Values up to this length are tokenized whole; longer ones only around their command positions. */
const WHOLE = 512;

function analyzeAround(v: string, at: readonly number[]): CmdFinding | null {
  if (at.length === 0) return null;
  if (v.length <= WHOLE) return analyzeShell(v);
  let best: CmdFinding | null = null;
  let covered = -1;
  for (const pos of at) {
    if (pos < covered) continue;
    const from = Math.max(0, pos - 48);
    const to = Math.min(v.length, pos + 256);
    covered = to - 64;
    const f = analyzeShell(v.slice(from, to));
    if (f !== null && (best === null || f.confidence > best.confidence)) best = { ...f, start: f.start + from };
  }
  return best;
}

/** Drops ANSI escape sequences (`ESC [ 2 A`): payloads hide commands from log viewers with them. */
function stripTerminalEscapes(s: string): string {
  if (s.indexOf('\x1b') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\x1b' && s[i + 1] === '[') {
      let j = i + 2;
      while (j < s.length && j - i < 12 && ((s[j] >= '0' && s[j] <= '9') || s[j] === ';')) j += 1;
      i = j; // skips the final letter too
      continue;
    }
    out += s[i];
  }
  return out;
}

/**
 * The request parser peels base64 values of 12 characters and more (shorter "words" are mostly not
 * base64). A command injection is short: `; id` is `OyBpZA==`, which an application that base64-decodes
 * a parameter before handing it to a shell still runs. So a short whole-value base64 token whose text
 * starts like an injection (a chain operator, a quote, a substitution, a line break) is read as that text.
 * Random tokens decode to bytes, and even printable ones must still parse as a chain into a command.
 */
const SHORT_BASE64_MIN = 4;
const SHORT_BASE64_MAX = 11;

function shortBase64Text(raw: string): string | null {
  if (raw.length < SHORT_BASE64_MIN || raw.length > SHORT_BASE64_MAX) return null;
  // `;|&"'`$%` and newline encode to a first character of O f J I Y C; `1;`/`a;` and the like to M/Y/Z/W
  const c = raw.charCodeAt(0);
  if (!(c === 79 || c === 102 || c === 74 || c === 73 || c === 89 || c === 67 || c === 77 || c === 90 || c === 87)) return null;
  const decoded = decodeBase64Text(raw);
  if (decoded === null || decoded.length < 2) return null;
  const text = decoded.indexOf('%') >= 0 ? urlDecode(decoded) : decoded;
  if (text.length < 2) return null;
  const first = text.charCodeAt(0);
  const second = text.charCodeAt(1);
  const opens = (ch: number): boolean => ch === 59 || ch === 124 || ch === 38 || ch === 96 || ch === 36 || ch === 10 || ch === 13 || ch === 39 || ch === 34;
  return opens(first) || opens(second) ? text : null;
}

/**
 * The lines that follow an ANSI escape sequence (`ESC [ 2 A` moves the cursor up two lines): payloads use
 * them so that a log viewer or terminal overwrites the visible text with harmless lines, hiding the
 * command after them. Each piece runs to the next line break.
 */
function hiddenByEscapes(s: string): string[] {
  const out: string[] = [];
  for (let at = s.indexOf('\x1b['); at >= 0 && out.length < 4; at = s.indexOf('\x1b[', at + 2)) {
    const piece = stripTerminalEscapes(s.slice(at));
    const nl = piece.indexOf('\n');
    const line = (nl < 0 ? piece : piece.slice(0, nl)).trim();
    if (line.length > 1) out.push(line);
  }
  return out;
}

export const cmdiDetector: Detector = {
  type: 'cmdi',
  detect(input: DetectorInput): Detection | null {
    const { point } = input;
    const raw = point.value;
    if (raw.length < 2 || point.isKey) return null;
    const chars = charsOf(input);
    if ((chars & SHELL_CHARS) === 0 && !firstWordIsCommand(raw, chars)) {
      const text = shortBase64Text(raw);
      if (text === null) return null;
      const f = analyzeAround(text, candidates(text, false));
      if (f === null) return null;
      return { type: 'cmdi', confidence: Math.round(f.confidence * 0.95 * 100) / 100, detail: `${f.detail}:base64`, excerpt: text.slice(f.start, f.start + 200) };
    }
    // Symbol soup (sensor data) has an "evasion spelling" after nearly every `;|&`: there only command
    // positions holding a real command name are tokenized, and only the first view (see looksLikeNoise).
    const noise = looksLikeNoise(input);
    const views: string[] = [raw.indexOf('%') >= 0 ? input.decode('url') : raw];
    if (!noise) {
      // further views only when they differ (an `&` or `\\` that decodes to nothing new costs no second pass)
      if (views[0].indexOf('&') >= 0 && views[0].indexOf(';') >= 0) {
        const html = input.decode('url', 'html');
        if (html !== views[0]) views.push(html);
      }
      if (views[0].indexOf('\\') >= 0) {
        const unescaped = input.decode('url', 'js');
        const js = stripTerminalEscapes(unescaped);
        if (js !== views[0]) views.push(js);
        // What a cursor-moving escape hides is a command line of its own, even in a many-line value
        // that the grammar would otherwise read as a document.
        if (js !== unescaped) views.push(...hiddenByEscapes(unescaped));
      }
    }
    let best: Detection | null = null;
    for (const view of views) {
      const v = view.length > MAX_LEN ? view.slice(0, MAX_LEN) : view;
      const shell = analyzeAround(v, candidates(v, noise));
      const code = v.indexOf('(') >= 0 || v.indexOf('<') >= 0 ? analyzeCode(v.toLowerCase()) : null;
      for (const f of [shell, code]) {
        if (f === null) continue;
        let confidence = f.confidence;
        // prose in a body (a comment, a message) holds '&', ';' and '|' for other reasons
        if (point.source === 'body' && v.split(' ').length > 12) confidence *= 0.85;
        if (point.source === 'header' && (point.name === 'user-agent' || point.name === 'referer')) confidence *= 0.9;
        if (best === null || confidence > best.confidence) {
          best = { type: 'cmdi', confidence: Math.round(confidence * 100) / 100, detail: f.detail, excerpt: v.slice(f.start, f.start + 200) };
        }
      }
    }
    return best;
  },
};
