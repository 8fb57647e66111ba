import { CH, charsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { evaluateLookups } from './lookup-evaluator';

/**
 * Log4Shell (CVE-2021-44228 and relatives): a logged value containing a `${jndi:<protocol>://…}` lookup,
 * however it is obfuscated with nested lookups, plus other lookups that read secrets for exfiltration
 * (`${env:AWS_SECRET_ACCESS_KEY}`, `${sys:user.name}`) — user input has no reason to hold either.
 */
const PROTOCOLS = ['ldap', 'ldaps', 'rmi', 'dns', 'iiop', 'corba', 'nds', 'nis', 'http', 'https', 'jms'];

function jndiIn(text: string): { at: number; protocol: string } | null {
  const lower = text.toLowerCase();
  for (let at = lower.indexOf('jndi:'); at >= 0; at = lower.indexOf('jndi:', at + 5)) {
    let k = at + 5;
    while (k < lower.length && lower[k] === ' ') k += 1;
    for (const p of PROTOCOLS) {
      if (lower.startsWith(p, k) && lower[k + p.length] === ':') return { at, protocol: p };
    }
    return { at, protocol: '' };
  }
  return null;
}

function views(input: DetectorInput): string[] {
  const raw = input.point.value;
  const out = [raw];
  if (raw.indexOf('%') >= 0) out.push(input.decode('url'));
  if (raw.indexOf('\\') >= 0) out.push(input.decode('url', 'js'));
  if (raw.indexOf('&') >= 0) out.push(input.decode('url', 'html'));
  return out;
}

/** `${` or an encoding of it. */
function mayHoldLookup(raw: string): boolean {
  if (raw.indexOf('${') >= 0) return true;
  const pct = raw.indexOf('%');
  if (pct >= 0 && (raw.indexOf('%24') >= 0 || raw.indexOf('%7B') >= 0 || raw.indexOf('%7b') >= 0 || raw.indexOf('%25') >= 0)) return true;
  if (raw.indexOf('\\u0024') >= 0 || raw.indexOf('\\x24') >= 0 || raw.indexOf('&#') >= 0 || raw.indexOf('&dollar;') >= 0) return true;
  return false;
}

/** `${` or an encoded form of it. */
const LOOKUP_CHARS = CH.DOLLAR | CH.PERCENT | CH.BACKSLASH | CH.AMP;

export const log4shellDetector: Detector = {
  type: 'log4shell',
  triggers: LOOKUP_CHARS,
  detect(input: DetectorInput): Detection | null {
    const raw = input.point.value;
    if (raw.length < 4 || (charsOf(input) & LOOKUP_CHARS) === 0 || !mayHoldLookup(raw)) return null;
    let best: Detection | null = null;
    for (const v of views(input)) {
      const start = v.indexOf('${');
      if (start < 0) continue;
      const ev = evaluateLookups(v.slice(start, start + 4096));
      const excerpt = v.slice(start, start + 200);
      const j = jndiIn(ev.text);
      let found: Detection | null = null;
      if (j !== null) {
        const obfuscated = v.toLowerCase().indexOf('${jndi:') < 0;
        found = {
          type: 'log4shell',
          confidence: j.protocol !== '' ? 0.98 : 0.85,
          detail: `log4shell:jndi${j.protocol ? ':' + j.protocol : ''}${obfuscated ? ':obfuscated' : ''}`,
          excerpt,
        };
      } else if (ev.dataKeys.length > 0 && [...ev.prefixes].some((p) => p === 'env' || p === 'sys' || p === 'java' || p === 'docker' || p === 'k8s' || p === 'main' || p === 'bundle')) {
        // `${env:…}` / `${sys:…}` with nothing else: a probe or a secret read; weaker on its own
        const nestedCase = ev.prefixes.has('lower') || ev.prefixes.has('upper') || ev.prefixes.has('date');
        found = { type: 'log4shell', confidence: nestedCase ? 0.8 : 0.7, detail: `log4shell:lookup:${ev.dataKeys[0].split(':')[0]}`, excerpt };
      } else if (ev.prefixes.has('lower') || ev.prefixes.has('upper') || ev.emptyDefaults > 0) {
        // Case-changing lookups and empty-name defaults (`${::-j}`) only make sense to spell a word past a
        // filter; what they spell did not resolve to a known attack (a probe, or a variant the evaluator
        // cannot follow), so this stays a likely finding, stronger when lookup names are built from
        // lookups too (`${${::-j}…}`). A nested name alone (`${${name}}`) is left to templates.
        const strong = ev.emptyDefaults + ev.nestedNames >= 2;
        found = { type: 'log4shell', confidence: strong ? 0.7 : 0.6, detail: 'log4shell:lookup:obfuscation', excerpt };
      }
      if (found !== null && (best === null || found.confidence > best.confidence)) best = found;
    }
    return best;
  },
};
