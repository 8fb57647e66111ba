import type { PointSource } from '../types';
import type { ParseContext } from './context';

/** Characters shared by consecutive windows, so a payload straddling a boundary is seen whole in one. */
const OVERLAP = 256;

/**
 * A long text (plain-text body, file content, unparseable body) as windows of maxPointBytes characters
 * named `<path>.<k>`; a text that fits is one point named `<path>`. Windows continue until maxPoints or
 * the budget stops them, which the context reports, so padding a payload past the first window is not
 * a way around inspection.
 */
export function addText(ctx: ParseContext, path: string, text: string, source: PointSource, name?: string, encodings?: readonly string[]): void {
  const cap = ctx.limits.maxPointBytes;
  if (text.length <= cap) {
    if (text.length > 0) ctx.add(path, text, source, { name, encodings });
    return;
  }
  const step = Math.max(1, cap - Math.min(OVERLAP, cap >> 2));
  for (let start = 0, k = 0; start < text.length && !ctx.stopped; start += step, k++) {
    ctx.add(`${path}.${k}`, text.slice(start, start + cap), source, { name, encodings });
    if (start + cap >= text.length) break;
  }
}
