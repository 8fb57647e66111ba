/**
 * Ajv errors → a violation's point and a reason a person can act on:
 * `body.json.items.0.qty: must be <= 100 (schema #/components/schemas/Item/properties/qty/maximum)`.
 * The schema location comes from the object identity of the failing (translated) schema node, which
 * the bundler recorded; Ajv's own schemaPath is relative to whichever function it compiled.
 */
import type { ErrorObject } from 'ajv';

export interface Described {
  point: string;
  reason: string;
}

const MAX_ENUM_SHOWN = 6;

function unescape(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/items/0/qty` → `.items.0.qty` */
export function pointerToPoint(instancePath: string): string {
  if (instancePath === '') return '';
  return instancePath.split('/').slice(1).map((s) => `.${unescape(s)}`).join('');
}

function message(err: ErrorObject): { extra: string; text: string } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { extra: `/${String(p.missingProperty)}`, text: 'is required' };
    case 'additionalProperties':
      return { extra: `/${String(p.additionalProperty)}`, text: 'is not a declared property (additionalProperties: false)' };
    case 'unevaluatedProperties':
      return { extra: `/${String(p.unevaluatedProperty)}`, text: 'is not a declared property (unevaluatedProperties: false)' };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]) ?? [];
      const shown = allowed.slice(0, MAX_ENUM_SHOWN).map((v) => JSON.stringify(v)).join(', ');
      return { extra: '', text: `must be one of ${shown}${allowed.length > MAX_ENUM_SHOWN ? ', ...' : ''}` };
    }
    case 'format':
      return { extra: '', text: `must be a valid ${String(p.format)}` };
    default:
      return { extra: '', text: err.message ?? `fails ${err.keyword}` };
  }
}

/**
 * `prefix`: the point of the validated value (`query.limit`, `body.json`); `strip`: an instance path
 * prefix added by a wrapper schema (`/v`); `locate`: schema node → document location.
 */
export function describeError(err: ErrorObject, prefix: string, strip: string, locate: (schema: object) => string | undefined): Described {
  let instance = err.instancePath;
  if (strip !== '' && instance.startsWith(strip)) instance = instance.slice(strip.length);
  const { extra, text } = message(err);
  const point = prefix + pointerToPoint(instance + extra);
  const parent = err.parentSchema;
  const base = parent && typeof parent === 'object' ? locate(parent) : undefined;
  const where = base === undefined ? '' : ` (schema ${base}/${err.keyword})`;
  return { point, reason: `${point}: ${text}${where}` };
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'if', 'not']);

function depthOf(err: ErrorObject): number {
  const extra = err.keyword === 'required' || err.keyword === 'additionalProperties' || err.keyword === 'unevaluatedProperties' ? 1 : 0;
  let n = extra;
  for (let i = 0; i < err.instancePath.length; i++) if (err.instancePath.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * The error most worth showing. A failed anyOf/oneOf reports every branch's error and then its own; the
 * branch that got deepest into the value explains best (`c.id: is required`, not `c: must be null` from
 * the nullable wrapper); among equals, the last branch's, then never the combinator's own summary.
 */
export function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  let bestDepth = -1;
  for (const e of errors) {
    if (COMBINATORS.has(e.keyword) && best !== undefined) continue;
    const d = depthOf(e);
    if (d >= bestDepth || (best !== undefined && COMBINATORS.has(best.keyword))) {
      best = e;
      bestDepth = d;
    }
  }
  return best;
}
