import { CH, charsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { OAST_DOMAINS, PROBE_HEADERS, USER_AGENT_TOKENS, type Fingerprint } from './fingerprints';

/**
 * Attack-tool fingerprints: tool names in User-Agent (and other client-identifying headers), probe
 * headers some scanners add, and out-of-band callback domains in any value. See fingerprints.ts.
 */
const UA_HEADERS = new Set(['user-agent', 'x-user-agent', 'from', 'x-scanner', 'via']);

/** Cheap gate for OAST domains: every one contains one of these. */
function mayHoldOast(lower: string): boolean {
  return lower.indexOf('oast') >= 0 || lower.indexOf('collaborator') >= 0 || lower.indexOf('interact.sh') >= 0 || lower.indexOf('dnslog') >= 0 || lower.indexOf('ceye') >= 0 || lower.indexOf('canarytokens') >= 0 || lower.indexOf('requestrepo') >= 0 || lower.indexOf('xss.ht') >= 0 || lower.indexOf('bxss.me') >= 0;
}

function hit(f: Fingerprint, kind: string, lower: string): Detection {
  const at = Math.max(0, lower.indexOf(f.token));
  return { type: 'scanner', confidence: f.confidence, detail: `scanner:${kind}:${f.tool}`, excerpt: lower.slice(Math.max(0, at - 40), at + 160) };
}

/** The OAST token must end a host label run: `x.oast.pro`, not `toast.professional`. */
function oastMatch(lower: string): Fingerprint | null {
  for (const f of OAST_DOMAINS) {
    for (let at = lower.indexOf(f.token); at >= 0; at = lower.indexOf(f.token, at + 1)) {
      const before = at === 0 ? '.' : lower[at - 1];
      const after = lower[at + f.token.length] ?? '';
      const boundaryBefore = before === '.' || before === '/' || before === '@' || before === ' ' || before === '"' || before === "'";
      const boundaryAfter = after === '' || !/[a-z0-9-]/.test(after);
      if (boundaryBefore && boundaryAfter) return f;
    }
  }
  return null;
}

export const scannerDetector: Detector = {
  type: 'scanner',
  detect(input: DetectorInput): Detection | null {
    const { point } = input;
    if (point.source === 'header' && point.isKey) {
      const f = PROBE_HEADERS.get(point.value.toLowerCase());
      return f === undefined ? null : hit(f, 'header', point.value.toLowerCase());
    }
    if (point.source === 'header' && point.name !== undefined) {
      const probe = PROBE_HEADERS.get(point.name);
      if (probe !== undefined) return hit(probe, 'header', point.name);
    }
    const uaHeader = point.source === 'header' && point.name !== undefined && UA_HEADERS.has(point.name);
    // every OAST domain has a dot; without one (and outside UA headers) there is nothing to lower-case
    const dotted = (charsOf(input) & CH.DOT) !== 0;
    if (!uaHeader && !dotted) return null;
    const lower = input.decode('lower');
    if (uaHeader) {
      for (const f of USER_AGENT_TOKENS) if (lower.indexOf(f.token) >= 0) return hit(f, 'ua', lower);
    }
    if (dotted && mayHoldOast(lower)) {
      const f = oastMatch(lower);
      if (f !== null) return hit(f, 'oast', lower);
    }
    return null;
  },
};
