import { DECODERS } from './decoders';
import { CH, charMask, lastPlainChars } from './features';
import type { DecoderName, DetectorInput, Point } from './types';

/**
 * Character classes without which a decoder leaves a value unchanged. While a chain has not changed the
 * value yet, a decoder whose trigger is absent from the point's mask is skipped without a pass or a
 * memo entry: most values of a benign request have nothing to decode.
 */
const TRIGGER: Readonly<Record<DecoderName, number>> = {
  url: CH.PERCENT,
  html: CH.AMP,
  js: CH.BACKSLASH,
  nulls: CH.CONTROL | CH.NONASCII,
  lower: 0, // 0: always run (upper-case letters have no class bit; memoized)
  spaces: 0,
  unicode: CH.NONASCII,
  sql_comments: CH.SLASH | CH.DASH | CH.HASH,
  base64: 0,
};

/**
 * A detector's view of one point. Decoder chains are memoized by prefix, so `decode('url','html')`
 * after `decode('url')` costs one HTML pass, and detectors asking for the same view share it.
 * `chars` (the point's character classes) is computed once here and shared by all detectors.
 */
export function createDetectorInput(point: Point): DetectorInput {
  return new PointInput(point);
}

class PointInput implements DetectorInput {
  readonly chars: number;
  readonly plainChars: number;
  /** Created on the first decode that changes something. */
  private memo: Map<string, string> | null = null;

  constructor(readonly point: Point) {
    if (point.chars !== undefined && point.plainChars !== undefined) {
      this.chars = point.chars;
      this.plainChars = point.plainChars;
    } else {
      this.chars = charMask(point.value);
      this.plainChars = lastPlainChars();
    }
  }

  decode(...chain: DecoderName[]): string {
    const raw = this.point.value;
    let value = raw;
    let key = '';
    for (let i = 0; i < chain.length; i++) {
      const name = chain[i];
      const trigger = TRIGGER[name];
      const skip = trigger !== 0 && value === raw && (this.chars & trigger) === 0;
      if (key !== '') key = `${key},${name}`;
      else if (!skip) key = i === 0 ? name : chain.slice(0, i + 1).join(',');
      if (skip) continue;
      const memo = (this.memo ??= new Map());
      const hit = memo.get(key);
      if (hit !== undefined) {
        value = hit;
        continue;
      }
      value = DECODERS[name](value);
      memo.set(key, value);
    }
    return value;
  }
}

/** A point for tests and callers that inspect a lone string (e.g. a query parameter value). */
export function makePoint(value: string, path = 'query.q', overrides: Partial<Point> = {}): Point {
  const source = (path.split('.')[0] as Point['source']) || 'query';
  return { path, value, source, isKey: false, encodings: [], truncated: false, ...overrides };
}
