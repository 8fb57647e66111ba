/**
 * Replaces NUL and lone UTF-16 surrogates in every string of a decoded JSON value with U+FFFD. PostgreSQL
 * TEXT/JSONB reject both, and a batch that can never be stored would be retried by its node forever.
 */
export function scrubStrings<T>(value: T): T {
  return scrub(value) as T;
}

// Each alternative is a single code unit class plus a fixed-width lookaround: linear time.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\ufffd');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = scrub(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    // Keys too: `extra` is free-form, and a JSONB key cannot hold NUL either.
    const clean: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a "__proto__" key from JSON.parse stays data instead of becoming the prototype.
      Object.defineProperty(clean, scrub(key) as string, { value: scrub(item), enumerable: true, writable: true, configurable: true });
    }
    return clean;
  }
  return value;
}
