import { fillDefaults, type FieldDef } from './config-defaults';

describe('fillDefaults', () => {
  const schema: FieldDef[] = [
    { mode: { type: 'string', default: 'monitoring' } },
    { name: { type: 'string' } },
    { limits: { type: 'record', fields: [{ max: { type: 'integer', default: 10 } }, { min: { type: 'integer' } }] } },
    { list: { type: 'array', default: [], elements: { type: 'string' } } },
  ];

  it('fills absent fields and nested records as Kong does, keeps present values', () => {
    expect(fillDefaults(schema, { mode: 'block', limits: { min: 1 } })).toEqual({
      mode: 'block',
      name: null,
      limits: { max: 10, min: 1 },
      list: [],
    });
  });

  it('treats a non-object config as empty and never shares default objects', () => {
    const a = fillDefaults(schema, null);
    const b = fillDefaults(schema, 'x');
    expect(a).toEqual(b);
    (a.list as string[]).push('x');
    expect(b.list).toEqual([]);
  });
});
