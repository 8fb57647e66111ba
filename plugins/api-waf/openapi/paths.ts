/**
 * Path templates (`/orders/{id}`, `/files/{name}.{ext}`) in a segment trie. Matching follows OpenAPI's
 * rule that concrete paths win over templated ones (a literal child is tried before template children),
 * and visits each trie node at most once per request, so a document with 1,000 paths costs the same
 * per request as one with 10. Template segments are matched left to right without backtracking: a
 * parameter ends at the first occurrence of the literal that follows it.
 */
import { OpenApiDocumentError } from './types';

type Piece = { literal: string } | { param: string };

interface Node<T> {
  literals: Map<string, Node<T>>;
  templated: Array<{ pieces: Piece[]; key: string; node: Node<T> }>;
  item?: T;
  template?: string;
}

export interface PathMatch<T> {
  item: T;
  template: string;
  params: Record<string, string>;
}

/** Deeper request paths match no template (and the recursion stays shallow). */
const MAX_SEGMENTS = 128;

const newNode = <T>(): Node<T> => ({ literals: new Map(), templated: [] });

/** Path → segments: `/a/b/` → ['a', 'b'] (one trailing slash tolerated), `/` → []. */
export function splitPath(path: string): string[] {
  const segs = path.split('/').slice(1);
  if (segs.length > 0 && segs[segs.length - 1] === '') segs.pop();
  return segs;
}

function parseSegment(seg: string, template: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < seg.length) {
    const open = seg.indexOf('{', i);
    if (open < 0) {
      pieces.push({ literal: seg.slice(i) });
      break;
    }
    if (open > i) pieces.push({ literal: seg.slice(i, open) });
    const close = seg.indexOf('}', open);
    if (close < 0 || close === open + 1) throw new OpenApiDocumentError(`path "${template}": malformed template segment "${seg}"`);
    const name = seg.slice(open + 1, close);
    if (name.includes('{')) throw new OpenApiDocumentError(`path "${template}": malformed template segment "${seg}"`);
    const prev = pieces[pieces.length - 1];
    if (prev && 'param' in prev) throw new OpenApiDocumentError(`path "${template}": two parameters with nothing between them in "${seg}"`);
    pieces.push({ param: name });
    i = close + 1;
  }
  return pieces;
}

/** Matches one segment against its pieces; fills `params`; false when it does not match. */
function matchSegment(pieces: Piece[], seg: string, params: Record<string, string>): boolean {
  let pos = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if ('literal' in p) {
      if (!seg.startsWith(p.literal, pos)) return false;
      pos += p.literal.length;
      continue;
    }
    const next = pieces[i + 1];
    const end = next === undefined ? seg.length : seg.indexOf((next as { literal: string }).literal, pos + 1);
    if (end < 0 || end <= pos) return false;
    params[p.param] = seg.slice(pos, end);
    pos = end;
  }
  return pos === seg.length;
}

function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class PathMatcher<T> {
  private readonly root: Node<T> = newNode();
  readonly size = { paths: 0 };

  add(template: string, item: T): void {
    if (!template.startsWith('/')) throw new OpenApiDocumentError(`path "${template}" must start with "/"`);
    let node = this.root;
    for (const seg of splitPath(template)) {
      const pieces = parseSegment(seg, template);
      if (pieces.length === 1 && 'literal' in pieces[0]) {
        let next = node.literals.get(seg);
        if (!next) node.literals.set(seg, (next = newNode()));
        node = next;
        continue;
      }
      // `{id}` and `{orderId}` are the same shape: they share a node (names are per template)
      const key = pieces.map((p) => ('literal' in p ? `l:${p.literal}` : 'p')).join('\u0000');
      let entry = node.templated.find((t) => t.key === key);
      if (!entry) {
        entry = { pieces, key, node: newNode() };
        node.templated.push(entry);
        // more literal characters first: `{name}.json` before `{name}`
        node.templated.sort((a, b) => literalLength(b.pieces) - literalLength(a.pieces));
      }
      node = entry.node;
    }
    if (node.item !== undefined) throw new OpenApiDocumentError(`paths "${node.template}" and "${template}" are the same template`);
    node.item = item;
    node.template = template;
    this.size.paths++;
  }

  /** `rawSegments`: the request path's segments, still percent-encoded. */
  match(rawSegments: readonly string[]): PathMatch<T> | null {
    if (rawSegments.length > MAX_SEGMENTS) return null;
    const segs = rawSegments.map(decodeSegment);
    const visit = (node: Node<T>, i: number): PathMatch<T> | null => {
      if (i === segs.length) return node.item !== undefined ? { item: node.item, template: node.template as string, params: {} } : null;
      const lit = node.literals.get(segs[i]);
      if (lit) {
        const m = visit(lit, i + 1);
        if (m) return m;
      }
      for (const t of node.templated) {
        if (!matchSegment(t.pieces, segs[i], {})) continue;
        const m = visit(t.node, i + 1);
        if (m) return m;
      }
      return null;
    };
    const found = visit(this.root, 0);
    // names come from the matched template, not from whichever template created a shared node
    if (found) found.params = renameParams(found.template, segs);
    return found;
  }
}

function literalLength(pieces: Piece[]): number {
  let n = 0;
  for (const p of pieces) if ('literal' in p) n += p.literal.length;
  return n;
}

/** Parameter values under the matched template's own names. */
function renameParams(template: string, segs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const tsegs = splitPath(template);
  for (let i = 0; i < tsegs.length; i++) {
    if (!tsegs[i].includes('{')) continue;
    matchSegment(parseSegment(tsegs[i], template), segs[i], out);
  }
  return out;
}
