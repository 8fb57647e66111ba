import { CH, charsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';

/**
 * Shellshock (CVE-2014-6271 and the follow-ups): bash imported any environment variable whose value
 * starts with `() {` as a function definition and ran what followed it. CGI passes headers, cookies and
 * parameters through the environment, so the marker matters in every point. The grammar: optional
 * whitespace/quotes, `(`, optional whitespace, `)`, optional whitespace, `{` — at the start of the value,
 * or after `=` (a cookie or `name=value` pair inside a header).
 */

function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i += 1;
  return i;
}

/** Index just after `() {` starting at i (spaces allowed between the parts), or -1. */
function functionDefinitionAt(s: string, i: number): number {
  let k = skipSpaces(s, i);
  if (s[k] !== '(') return -1;
  k = skipSpaces(s, k + 1);
  if (s[k] !== ')') return -1;
  k = skipSpaces(s, k + 1);
  return s[k] === '{' ? k + 1 : -1;
}

/** Where a definition can begin: the value start (after quotes), or right after `=`. */
function findDefinition(s: string): { start: number; bodyStart: number } | null {
  let k = 0;
  while (k < s.length && k < 4 && (s[k] === '"' || s[k] === "'" || s[k] === ' ' || s[k] === '\t')) k += 1;
  const atStart = functionDefinitionAt(s, k);
  if (atStart >= 0) return { start: k, bodyStart: atStart };
  for (let eq = s.indexOf('='); eq >= 0 && eq < 2048; eq = s.indexOf('=', eq + 1)) {
    const body = functionDefinitionAt(s, eq + 1);
    if (body >= 0) return { start: eq + 1, bodyStart: body };
  }
  return null;
}

/** `() {` or its encoded form. */
const FUNCTION_CHARS = CH.LPAREN | CH.PERCENT;

export const shellshockDetector: Detector = {
  type: 'shellshock',
  triggers: FUNCTION_CHARS,
  detect(input: DetectorInput): Detection | null {
    const raw = input.point.value;
    if ((charsOf(input) & FUNCTION_CHARS) === 0) return null;
    const views = [raw];
    if (raw.indexOf('%') >= 0) views.push(input.decode('url'));
    for (const v of views) {
      if (v.indexOf('(') < 0) continue;
      const found = findDefinition(v);
      if (found === null) continue;
      // the classic body is tiny (`:;`, `_;`, `:; }`) and is followed by `;` and a command
      const close = v.indexOf('}', found.bodyStart);
      const bodyLen = close < 0 ? -1 : close - found.bodyStart;
      const trailing = close >= 0 ? v.slice(close + 1).trimStart() : '';
      const classic = bodyLen >= 0 && bodyLen <= 8 && (trailing.startsWith(';') || trailing.startsWith('>') || trailing === '');
      // JS arrow/anonymous functions are `() => {` or `function () {`, which never start a value like this
      const confidence = classic ? 0.98 : close >= 0 ? 0.8 : 0.6;
      return {
        type: 'shellshock',
        confidence,
        detail: classic ? 'shellshock:function-definition' : 'shellshock:function-prefix',
        excerpt: v.slice(found.start, found.start + 200),
      };
    }
    return null;
  },
};
