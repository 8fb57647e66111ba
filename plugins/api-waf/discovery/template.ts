/**
 * Concrete path → path template. Segments that are values, not names (numbers, UUIDs, hex and base64
 * tokens, dates, emails), become `{param}` with a name saying what they hold; the same name twice in one
 * path gets a number (`{id}`, `{id2}`), because OpenAPI needs distinct names per path.
 */
import { isBase64Token, isBase64UrlToken, isDate, isDateTime, isEmail, isHexToken, isIntegerText, isJwt, isUuid } from './formats';

export type SegmentKind = 'id' | 'uuid' | 'date' | 'email' | 'hash' | 'token' | 'param';

/** What a path segment holds: null for a literal name. */
export function segmentKind(seg: string): SegmentKind | null {
  const n = seg.length;
  if (n === 0) return null;
  const c0 = seg.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    if (n <= 19 && isIntegerText(seg)) return 'id';
    if (n === 10 && isDate(seg)) return 'date';
    if (n >= 20 && isDateTime(seg)) return 'date';
  }
  if (n === 36 && isUuid(seg)) return 'uuid';
  if (seg.indexOf('@') > 0 && isEmail(seg)) return 'email';
  if (isHexToken(seg)) return 'hash';
  if (isJwt(seg) || isBase64Token(seg) || isBase64UrlToken(seg)) return 'token';
  return null;
}

/** Decodes %XX once (lenient: a bad escape stays as it is). */
export function decodeSegment(seg: string): string {
  if (seg.indexOf('%') < 0) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

export interface Templated {
  /** `/users/{id}/orders/{uuid}`; a trailing slash is kept (`/users/` differs from `/users` for routers). */
  template: string;
  /** Per segment: the kind of value it holds, or null for a literal. */
  kinds: (SegmentKind | null)[];
  /** Per segment: the decoded concrete text (the literal, or the parameter's value). */
  values: string[];
}

const MAX_SEGMENTS = 32;
const MAX_SEGMENT_CHARS = 128;

/** A segment too long to be a name is a value whatever its shape. */
function kindOf(seg: string): SegmentKind | null {
  // Braces and decoded slashes would read as template syntax: such a segment is a value.
  if (seg.length > MAX_SEGMENT_CHARS || seg.includes('{') || seg.includes('}') || seg.includes('/')) return 'param';
  return segmentKind(seg);
}

/** Parameter names per segment (null for literals): the kind, numbered from the second of a kind on. */
export function paramNames(kinds: readonly (SegmentKind | null)[]): (string | null)[] {
  const used = new Map<string, number>();
  return kinds.map((kind) => {
    if (kind === null) return null;
    const seen = (used.get(kind) ?? 0) + 1;
    used.set(kind, seen);
    return seen === 1 ? kind : `${kind}${seen}`;
  });
}

/** The template of the first `upTo` segments (all by default). */
export function buildTemplate(kinds: readonly (SegmentKind | null)[], values: readonly string[], upTo = kinds.length): string {
  const names = paramNames(kinds.slice(0, upTo));
  let t = '';
  for (let i = 0; i < upTo; i++) t += `/${names[i] === null ? values[i] : `{${names[i]}}`}`;
  return t === '' ? '/' : t;
}

/**
 * `forced(i, prefix)` lets the inventory turn a position into a parameter (too many distinct literals seen
 * there); `prefix` is the template of the segments before i ('' at the root).
 */
export function templatePath(rawPath: string, forced?: (index: number, prefix: string) => boolean): Templated {
  const parts = rawPath.split('/');
  const kinds: (SegmentKind | null)[] = [];
  const values: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    if (kinds.length >= MAX_SEGMENTS) {
      kinds.push('param');
      values.push(parts.slice(i).join('/'));
      break;
    }
    const raw = parts[i];
    if (raw === '' && i < parts.length - 1) continue; // `//` collapses, as routers do
    const value = decodeSegment(raw);
    let kind = raw === '' ? null : kindOf(value);
    if (kind === null && raw !== '' && forced) {
      const prefix = kinds.length === 0 ? '' : buildTemplate(kinds, values);
      if (forced(kinds.length, prefix)) kind = 'param';
    }
    kinds.push(kind);
    values.push(value);
  }
  return { template: buildTemplate(kinds, values), kinds, values };
}
