import { CH, charsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { scanLdap, scoreLdap } from './grammar';
import { nulAt } from './tokenizer';

/**
 * LDAP injection (RFC 4515 filters): a value that closes the app's filter item and opens new filter
 * components (`*)(uid=*))(|(uid=*`, `admin)(&)`, `x)(objectClass=*)`), a wildcard followed by a
 * component (`*(|(mail=*))`), or closing parens followed by a NUL that truncates the app's filter.
 * Wildcards alone (`foo*`), parentheses in prose (`John (Jack) Smith`) and emails are left alone: the
 * components must follow the breakout with no space, as a filter string has them.
 */

/** `*()|&` probes: only filter metacharacters, several kinds, at least one paren. */
function isMetacharProbe(s: string): boolean {
  if (s.length > 12) return false;
  let kinds = 0;
  let paren = false;
  const seen = new Set<string>();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ('*()|&!='.indexOf(ch) >= 0) {
      if (!seen.has(ch)) kinds += 1;
      seen.add(ch);
      if (ch === '(' || ch === ')') paren = true;
    } else if (ch !== "'" && ch !== '"' && ch !== ' ' && nulAt(s, i) === 0) return false;
  }
  return paren && kinds >= 4;
}

/**
 * Every filter injection opens or closes a component, plainly or percent-encoded; the XPath wildcard
 * probes need `*`.
 */
const FILTER_CHARS = CH.LPAREN | CH.RPAREN | CH.PERCENT | CH.STAR;

// A whole value that is an XPath node wildcard (`//*`, `*` `/` `*`, `//node()`, `//*[1]`): put into an
// XPath or XQuery predicate it selects the whole document (the directory-query cousin of `*)(uid=*`).
// Not in headers, where the Accept header's any-type wildcard is what every client sends.
const XPATH_WILDCARD = /^(?:\/\/\*|\*\/\*|\/\/node\(\)|\/\/\*\[\d{1,3}\]|\/\/text\(\))$/;

export function detectLdapi(input: DetectorInput): Detection | null {
  const raw = input.point.value;
  if (raw.length < 2) return null;
  const chars = charsOf(input);
  if ((chars & FILTER_CHARS) === 0) return null;
  if (raw.length <= 12 && input.point.source !== 'header' && XPATH_WILDCARD.test(raw.trim())) {
    return { type: 'ldapi', confidence: 0.6, detail: 'ldapi:xpath-wildcard', excerpt: raw };
  }
  if ((chars & (CH.LPAREN | CH.RPAREN | CH.PERCENT)) === 0) return null;
  const s = raw.indexOf('%') >= 0 ? input.decode('url') : raw;
  const close = s.indexOf(')');
  const open = s.indexOf('(');
  if (close < 0 && open < 0) return null;

  let best: { confidence: number; detail: string; excerpt: string } | null = null;
  // breakout by closing the item: the first ')' in the value, then components with no space between
  if (close >= 0) {
    let j = close;
    while (s[j] === ')') j += 1;
    if (s[j] === '(' || nulAt(s, j) > 0) {
      const sig = scanLdap(s, close);
      const sc = scoreLdap(sig, false);
      if (sc.confidence > 0) best = { confidence: sc.confidence, detail: `ldapi:breakout:${sc.rule}`, excerpt: s.slice(0, Math.max(sig.end, j + 1)) };
    }
  }
  // breakout by wildcard: `*(|(mail=*))` — a value ending in `*` right before a component
  if (open > 0 && s[open - 1] === '*' && (close < 0 || open < close)) {
    const sig = scanLdap(s, open);
    const sc = scoreLdap(sig, true);
    if (sc.confidence > 0 && (best === null || sc.confidence > best.confidence)) best = { confidence: sc.confidence, detail: `ldapi:wildcard:${sc.rule}`, excerpt: s.slice(0, Math.max(sig.end, open + 1)) };
  }
  if (best === null && isMetacharProbe(s)) best = { confidence: 0.55, detail: 'ldapi:probe', excerpt: s };
  if (best === null) return null;
  return { type: 'ldapi', confidence: Math.round(best.confidence * 100) / 100, detail: best.detail, excerpt: best.excerpt.slice(0, 200) };
}

export const ldapiDetector: Detector = {
  type: 'ldapi',
  triggers: FILTER_CHARS,
  detect: detectLdapi,
};
