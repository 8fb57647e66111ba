/**
 * Ajv instances for one compiled document: the 3.0 dialect on Ajv's draft-07 core, 3.1 on its
 * 2020-12 core. `pattern` runs on RE2 (linear time: patterns are the operator's, input is the
 * attacker's), formats are ajv-formats' fast variants plus OpenAPI's own (int32, int64, float, double,
 * byte, binary, password); formats nobody knows are ignored, as OpenAPI allows any format name.
 * Parameters and form fields arrive as strings, so their instance coerces types; JSON bodies do not.
 */
import Ajv, { type Options } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import RE2 from 're2';
import type { Dialect } from './schemas';

const INT32 = 2 ** 31;
const INT64 = 2 ** 63;

/** base64 without backtracking: a character-class run and at most two '=' of padding. */
function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  let end = s.length;
  if (s.endsWith('==')) end -= 2;
  else if (s.endsWith('=')) end -= 1;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

function options(coerce: boolean): Options {
  return {
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: false,
    // errors carry their parentSchema, which errors.ts maps back to a document location
    verbose: true,
    coerceTypes: coerce,
    useDefaults: false,
    validateFormats: true,
    // Ajv's code optimizer roughly doubles compile time (1,000 operations) for little validation speed
    code: { optimize: false, regExp: RE2 as unknown as NonNullable<Options['code']>['regExp'] },
  };
}

export type AnyAjv = Ajv | Ajv2020;

export function createAjv(dialect: Dialect, coerce: boolean, formatsUsed: ReadonlySet<string>, defs: Record<string, unknown>): AnyAjv {
  const ajv: AnyAjv = dialect === '3.1' ? new Ajv2020(options(coerce)) : new Ajv(options(coerce));
  addFormats(ajv, { mode: 'fast' });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT64 && n < INT64 });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', { type: 'string', validate: isBase64 });
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  for (const f of formatsUsed) if (!(f in ajv.formats)) ajv.addFormat(f, true);
  ajv.addSchema(defs);
  return ajv;
}
