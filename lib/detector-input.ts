import { DECODERS } from './decoders';
import type { DecoderName, DetectorInput, Point } from './types';

/**
 * A detector's view of one point. Decoder chains are memoized by prefix, so `decode('url','html')`
 * after `decode('url')` costs one HTML pass, and detectors asking for the same view share it.
 */
export function createDetectorInput(point: Point): DetectorInput {
  const memo = new Map<string, string>();
  return {
    point,
    decode(...chain: DecoderName[]): string {
      let value = point.value;
      let key = '';
      for (const name of chain) {
        key = key === '' ? name : `${key},${name}`;
        const hit = memo.get(key);
        if (hit !== undefined) {
          value = hit;
          continue;
        }
        value = DECODERS[name](value);
        memo.set(key, value);
      }
      return value;
    },
  };
}

/** A point for tests and callers that inspect a lone string (e.g. a query parameter value). */
export function makePoint(value: string, path = 'query.q', overrides: Partial<Point> = {}): Point {
  const source = (path.split('.')[0] as Point['source']) || 'query';
  return { path, value, source, isKey: false, encodings: [], truncated: false, ...overrides };
}
