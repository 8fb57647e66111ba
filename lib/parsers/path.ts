import { urlDecodeOnce } from '../decoders/url';
import type { ParseContext } from './context';

/**
 * Raw path fragments that make the whole decoded path worth a look as one value: a traversal spans
 * segments, and a path starting with `//` is a scheme-relative URL to whatever echoes it into Location.
 */
function hasTraversalShape(raw: string): boolean {
  if (raw.indexOf('..') >= 0 || raw.indexOf('\\') >= 0) return true;
  // `//evil.com/…`: a path that reads as a scheme-relative URL when a redirect echoes it
  if (raw.startsWith('//')) return true;
  if (raw.indexOf('%') < 0) return false;
  const lower = raw.toLowerCase();
  return lower.includes('%2e') || lower.includes('%2f') || lower.includes('%5c') || lower.includes('%25') || lower.includes('%c0') || lower.includes('%u');
}

/**
 * Path points: each non-empty segment as `path.<i>` (percent-decoded once, leniently; `;params` kept),
 * plus the whole decoded path as `path` when it contains dot-dot, backslashes or encoded separators,
 * because a traversal split at '/' would show each detector only harmless `..` pieces.
 */
export function parsePath(ctx: ParseContext, rawPath: string): void {
  if (rawPath === '' || rawPath === '/') return;
  if (hasTraversalShape(rawPath)) ctx.add('path', urlDecodeOnce(rawPath), 'path');
  let i = 0;
  for (const seg of rawPath.split('/')) {
    if (seg === '') continue;
    if (ctx.stopped) return;
    ctx.add(`path.${i}`, urlDecodeOnce(seg), 'path');
    i += 1;
  }
}
