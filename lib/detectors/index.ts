import type { AttackType, Detector } from '../types';
import { cmdiDetector } from './cmdi';
import { crlfDetector } from './crlf';
import { ldapiDetector } from './ldapi';
import { log4shellDetector } from './log4shell';
import { nosqliDetector } from './nosqli';
import { openRedirectDetector } from './open_redirect';
import { pathTraversalDetector } from './path_traversal';
import { scannerDetector } from './scanner';
import { shellshockDetector } from './shellshock';
import { sqliDetector } from './sqli';
import { ssrfDetector } from './ssrf';
import { sstiDetector } from './ssti';
import { xssDetector } from './xss';
import { xxeDetector } from './xxe';

/**
 * Every detector, one per attack type, in ATTACK_TYPES order. The inspector runs them over every point
 * (respecting each detector's `sources`); routes enable/disable them and set thresholds per type.
 */
export const DETECTORS: readonly Detector[] = [
  sqliDetector,
  xssDetector,
  cmdiDetector,
  pathTraversalDetector,
  sstiDetector,
  nosqliDetector,
  ldapiDetector,
  xxeDetector,
  ssrfDetector,
  crlfDetector,
  log4shellDetector,
  shellshockDetector,
  openRedirectDetector,
  scannerDetector,
];

export function detectorFor(type: AttackType): Detector | undefined {
  return DETECTORS.find((d) => d.type === type);
}
