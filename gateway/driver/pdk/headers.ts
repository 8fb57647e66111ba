/**
 * A case-insensitive header multimap that keeps the first-seen spelling of each name, the way nginx
 * keeps request/response headers. Values are always lists of strings.
 */
export class HeaderBag {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  static fromRaw(rawHeaders: string[]): HeaderBag {
    const bag = new HeaderBag();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) bag.add(rawHeaders[i], rawHeaders[i + 1]);
    return bag;
  }

  static fromObject(obj: Record<string, string | string[] | number | undefined>): HeaderBag {
    const bag = new HeaderBag();
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) bag.add(k, String(one));
    }
    return bag;
  }

  clone(): HeaderBag {
    const copy = new HeaderBag();
    for (const { name, values } of this.map.values()) for (const v of values) copy.add(name, v);
    return copy;
  }

  get(name: string): string[] | undefined {
    return this.map.get(name.toLowerCase())?.values;
  }

  first(name: string): string | undefined {
    return this.get(name)?.[0];
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  set(name: string, value: string | string[]): void {
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    this.map.set(name.toLowerCase(), { name, values });
  }

  add(name: string, value: string): void {
    const entry = this.map.get(name.toLowerCase());
    if (entry) entry.values.push(String(value));
    else this.map.set(name.toLowerCase(), { name, values: [String(value)] });
  }

  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  names(): string[] {
    return [...this.map.keys()];
  }

  get size(): number {
    return this.map.size;
  }

  /** ngx.req.get_headers(max) shape: lower-case keys, a string for one value, a list for several. */
  toLuaTable(max = 100): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    let n = 0;
    for (const [key, { values }] of this.map) {
      if (n >= max) break;
      out[key] = values.length === 1 ? values[0] : [...values];
      n += values.length;
    }
    return out;
  }

  /** For node's http APIs: original spelling, string or list. */
  toNodeHeaders(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, values } of this.map.values()) out[name] = values.length === 1 ? values[0] : [...values];
    return out;
  }
}
