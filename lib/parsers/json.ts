import type { PointSource } from '../types';
import { messageOf, type ParseContext } from './context';
import { isPlainName } from './query';
import { addText } from './text';

/** Placeholder on the walk stack for a key point, so keys come out in document order with their values. */
class KeyMarker {
  constructor(readonly key: string) {}
}

interface Frame {
  value: unknown;
  path: string;
  name: string | undefined;
  depth: number;
}

/**
 * Adds the strings of a parsed JSON value as points under `prefix`: `prefix.user.name`, arrays by index
 * (`prefix.items.3.name`), keys as key points when they are not plain identifiers (`$where`, `a'--`).
 * Numbers, booleans and null carry no payload. The walk is iterative (no stack overflow on 10k-deep
 * input); below maxDepth the path stops growing and a depth_capped event is recorded, but the strings
 * down there are still inspected.
 */
export function walkJson(
  ctx: ParseContext,
  root: unknown,
  prefix: string,
  source: PointSource,
  encodings?: readonly string[],
  rootName?: string,
): void {
  const maxDepth = ctx.limits.maxDepth;
  const stack: Frame[] = [{ value: root, path: prefix, name: rootName, depth: 0 }];
  let capped = false;
  while (stack.length > 0) {
    if (ctx.stopped) return;
    const { value, path, name, depth } = stack.pop() as Frame;
    if (typeof value === 'string') {
      if (value !== '') ctx.add(path, value, source, { name, encodings });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (value instanceof KeyMarker) {
      ctx.add(path, value.key, source, { isKey: true, name, encodings });
      continue;
    }
    const deeper = depth + 1;
    const grow = deeper <= maxDepth;
    if (!grow && !capped) {
      capped = true;
      ctx.event('depth_capped', `JSON nested deeper than ${maxDepth}; deeper values inspected under the capped path`, path);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: grow ? `${path}.${i}` : path, name, depth: deeper });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const child = grow ? `${path}.${key}` : path;
      stack.push({ value: (value as Record<string, unknown>)[key], path: child, name: key, depth: deeper });
      if (!isPlainName(key)) stack.push({ value: new KeyMarker(key), path: child, name: key, depth: deeper });
    }
  }
}

/** Parses JSON text; on failure records parse_error and inspects the raw text instead. Returns the value or undefined. */
export function parseJsonText(ctx: ParseContext, text: string, prefix: string, source: PointSource, encodings?: readonly string[]): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    ctx.parseError(prefix, `malformed JSON: ${messageOf(err)}`);
    addText(ctx, `${prefix}.raw`, text, source, undefined, encodings);
    return undefined;
  }
}

/** application/json (and +json) body → `body.json.*` points. */
export function parseJsonBody(ctx: ParseContext, text: string, prefix = 'body.json'): void {
  const trimmed = text.trim();
  if (trimmed === '') return;
  const value = parseJsonText(ctx, trimmed, prefix, 'body');
  if (value !== undefined) walkJson(ctx, value, prefix, 'body');
}
