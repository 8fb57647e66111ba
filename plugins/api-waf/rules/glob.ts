/**
 * Globs for request paths (`/api/*\/comments`, `/admin/**`) and points (`body.json.*.comment`, `query.**`,
 * `header.x-*`), matched without regular expressions and without backtracking:
 * - the subject is split at the separator (`/` for paths, `.` for points);
 * - `**` is any number of whole segments (also none), `*` alone is exactly one segment, and `*` inside a
 *   segment is any run of characters within it (`x-*`, `*.pdf`);
 * - literal pieces between stars are searched once, left to right (leftmost match is always right for
 *   star-only patterns), so a match costs O(subject + pattern) searches, never exponential.
 */

export interface Glob {
  readonly source: string;
  test(subject: string): boolean;
}

type Seg = { kind: 'any' } | { kind: 'literal'; text: string } | { kind: 'stars'; chunks: string[] };

/** `a*b*c` within one segment: prefix, suffix and ordered middle pieces. */
function starMatch(chunks: readonly string[], s: string): boolean {
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < chunks.length - 1; i++) {
    const c = chunks[i];
    if (c === '') continue;
    const at = s.indexOf(c, pos);
    if (at < 0 || at + c.length > end) return false;
    pos = at + c.length;
  }
  return true;
}

function segMatch(p: Seg, s: string): boolean {
  if (p.kind === 'any') return true;
  if (p.kind === 'literal') return p.text === s;
  return starMatch(p.chunks, s);
}

function runMatches(group: readonly Seg[], subject: readonly string[], at: number): boolean {
  for (let i = 0; i < group.length; i++) if (!segMatch(group[i], subject[at + i])) return false;
  return true;
}

export class GlobError extends Error {}

/** The common shapes (`a.b`, `a.b.**`, `a.*`) without splitting the subject: rules test every point. */
function fastPath(pattern: string, sep: string): ((s: string) => boolean) | null {
  const star = pattern.indexOf('*');
  if (star < 0) return (s) => s === pattern;
  const prefix = pattern.slice(0, star);
  if (prefix !== '' && !prefix.endsWith(sep)) return null;
  const rest = pattern.slice(star);
  const base = prefix.slice(0, -1);
  if (rest === '**') return prefix === '' ? () => true : (s) => s === base || s.startsWith(prefix);
  if (rest === '*' && prefix !== '') return (s) => s.startsWith(prefix) && s.indexOf(sep, prefix.length) < 0;
  return null;
}

export function compileGlob(pattern: string, sep: '/' | '.'): Glob {
  if (typeof pattern !== 'string' || pattern === '') throw new GlobError('empty glob');
  const rawSegs = pattern.split(sep);
  // groups of segment patterns separated by `**`
  const groups: Seg[][] = [[]];
  for (const raw of rawSegs) {
    if (raw === '**') {
      groups.push([]);
      continue;
    }
    if (raw.includes('**')) throw new GlobError(`"${pattern}": ** must be a whole segment`);
    const seg: Seg = raw === '*' ? { kind: 'any' } : raw.includes('*') ? { kind: 'stars', chunks: raw.split('*') } : { kind: 'literal', text: raw };
    groups[groups.length - 1].push(seg);
  }
  const fast = fastPath(pattern, sep);
  if (fast) return { source: pattern, test: fast };
  const test = (subject: string): boolean => {
    const s = subject.split(sep);
    if (groups.length === 1) return s.length === groups[0].length && runMatches(groups[0], s, 0);
    const head = groups[0];
    const tail = groups[groups.length - 1];
    if (s.length < head.length + tail.length) return false;
    if (!runMatches(head, s, 0) || !runMatches(tail, s, s.length - tail.length)) return false;
    let pos = head.length;
    const end = s.length - tail.length;
    for (let g = 1; g < groups.length - 1; g++) {
      const group = groups[g];
      let found = -1;
      for (let i = pos; i + group.length <= end; i++) {
        if (runMatches(group, s, i)) {
          found = i;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + group.length;
    }
    return true;
  };
  return { source: pattern, test };
}

/** A point without its peeled encodings: `query.token[base64].user` → `query.token` (rules see decoded children). */
export function containerPoint(point: string): string {
  const b = point.indexOf('[');
  return b < 0 ? point : point.slice(0, b);
}
