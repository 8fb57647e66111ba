/**
 * What was worked out for a header value, remembered by the value and a second key (where it sat: its
 * path, header name, encodings). A client repeats its header values on every request. Used by the
 * header-points cache (parsers/headers.ts) and the header-detections cache (inspect.ts).
 *
 * Bounded: at most `maxValues` values, each with at most PLACES_PER_VALUE places; the oldest value
 * leaves first. A lookup hashes the value once; V8 keeps a string's hash, so a repeated string object
 * is hashed only once.
 */
export const PLACES_PER_VALUE = 8;

export class ValueCache<T> {
  private readonly byValue = new Map<string, Array<{ where: string; item: T }>>();

  constructor(private readonly maxValues: number) {}

  get(value: string, where: string): T | undefined {
    const entries = this.byValue.get(value);
    if (entries === undefined) return undefined;
    for (const e of entries) if (e.where === where) return e.item;
    return undefined;
  }

  set(value: string, where: string, item: T): void {
    const entries = this.byValue.get(value);
    if (entries !== undefined) {
      if (entries.length < PLACES_PER_VALUE) entries.push({ where, item });
      return;
    }
    if (this.byValue.size >= this.maxValues) this.byValue.delete(this.byValue.keys().next().value as string);
    this.byValue.set(value, [{ where, item }]);
  }
}
