import { checkPluginSchema } from '../../gateway/config/metaschema';
import { SCHEMA } from './schema';

// index.ts assigns module.exports (the pluginserver's CommonJS shape); load it the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require('./index') as { Plugin: new (c: unknown) => { access: unknown }; Name: string; Version: string; Priority: number; Schema: unknown };

describe('key-auth-ext module shape and schema', () => {
  it('exports what kong-js-pluginserver and Kong 3.x require', () => {
    expect(mod.Name).toBe('key-auth-ext');
    expect(mod.Version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number.isInteger(mod.Priority)).toBe(true);
    expect(mod.Priority).toBeGreaterThan(1250); // runs before bundled key-auth, see docs
    expect(typeof new mod.Plugin({}).access).toBe('function');
    expect(mod.Schema).toBe(SCHEMA);
  });

  it('passes Kong’s plugin metaschema (as the local gateway implements it)', () => {
    const wrapped = { name: 'key-auth-ext', fields: [{ config: { type: 'record', fields: SCHEMA } }] };
    expect(checkPluginSchema(wrapped)).toBeNull();
  });

  it('every description is 10..500 characters (Kong refuses the schema otherwise)', () => {
    const lengths: [string, number][] = [];
    const walk = (fields: Record<string, Record<string, unknown>>[], prefix: string): void => {
      for (const def of fields) {
        for (const [name, spec] of Object.entries(def)) {
          if (typeof spec.description === 'string') lengths.push([prefix + name, spec.description.length]);
          if (spec.type === 'record') walk(spec.fields as typeof fields, `${prefix}${name}.`);
          const el = spec.elements as Record<string, unknown> | undefined;
          if (el?.type === 'record') walk(el.fields as typeof fields, `${prefix}${name}[].`);
        }
      }
    };
    walk(SCHEMA, '');
    expect(lengths.length).toBeGreaterThan(20);
    expect(lengths.filter(([, n]) => n < 10 || n > 500)).toEqual([]);
  });
});
