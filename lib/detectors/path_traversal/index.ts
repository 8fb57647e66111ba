import { charsOf, plainCharsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { decodePathValue, mayHaveParent } from './decode';
import { analyzePath, mayBePath } from './grammar';

/**
 * Path traversal and local file inclusion: parent-directory climbing beyond the value's root (through any
 * encoding a file API or a lenient decoder accepts), sensitive files, absolute system paths and PHP
 * stream wrappers. See grammar.ts for the rules and their confidences.
 */
const LONG_VALUE = 256;

export const pathTraversalDetector: Detector = {
  type: 'path_traversal',
  detect(input: DetectorInput): Detection | null {
    const { point } = input;
    const raw = point.value;
    if (raw.length < 2) return null;
    // from the point's shared masks: only `0x2e`-style spellings need a look at a value without path classes
    if (!mayBePath(raw, charsOf(input), plainCharsOf(input))) return null;
    // Long values (bodies, blobs) only matter here when they could hold a parent reference or a wrapper.
    if (raw.length > LONG_VALUE && !mayHaveParent(raw) && raw.indexOf('://') < 0) return null;
    const decoded = raw.indexOf('%') >= 0 ? decodePathValue(raw) : raw;
    const found = analyzePath(decoded, raw);
    if (found === null) return null;
    let confidence = found.confidence;
    // A header/cookie value that merely mentions a config file name is far weaker than a parameter doing so.
    if ((point.source === 'path' || point.isKey) && found.detail.startsWith('path_traversal:file:') && confidence < 0.7) {
      confidence = Math.min(confidence, 0.3);
    }
    return { type: 'path_traversal', confidence, detail: found.detail, excerpt: found.excerpt };
  },
};
