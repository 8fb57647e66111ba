import { checkPluginSchema, pluginSchemaProblem } from './metaschema';
import { wafLikeInfo } from './testing/fixture-catalog';

const withField = (field: Record<string, unknown>) => ({ name: 'p', fields: [{ config: { type: 'record', fields: [{ f: field }] } }] });

describe('plugin metaschema', () => {
  it('accepts a well-formed schema', () => {
    expect(checkPluginSchema(wafLikeInfo().Schema)).toBeNull();
  });

  it('refuses short descriptions, bad types, missing attributes and misplaced attributes', () => {
    expect(checkPluginSchema(withField({ type: 'string', description: 'short' }))).toEqual({
      fields: [{ fields: [{ description: 'length must be at least 10' }] }],
    });
    expect(checkPluginSchema(withField({ type: 'str' }))).toMatchObject({ fields: [{ fields: [{ type: expect.stringMatching(/^expected one of: /) }] }] });
    expect(checkPluginSchema(withField({ type: 'array' }))).toEqual({ f: "field of type 'array' must declare 'elements'" });
    expect(checkPluginSchema(withField({ type: 'boolean', between: [1, 2] }))).toEqual({ f: "field of type 'boolean' cannot have attribute 'between'" });
    expect(checkPluginSchema(withField({ type: 'integer', default: 'x' }))).toEqual({ fields: [{ fields: [{ default: 'expected an integer' }] }] });
    expect(checkPluginSchema(withField({ type: 'string', bogus: true }))).toEqual({ fields: [{ fields: [{ bogus: 'unknown field' }] }] });
    expect(pluginSchemaProblem(withField({ type: 'array' }))).toBe("schema violation (f: field of type 'array' must declare 'elements')");
  });
});
