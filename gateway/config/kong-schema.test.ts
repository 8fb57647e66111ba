import { processAutoFields, validateRecord, validateField, mergeValues, type RecordSchema } from './kong-schema';
import { loadPluginSchema } from './plugin-schemas';
import { wafLikeInfo } from './testing/fixture-catalog';

const pluginSchema = loadPluginSchema(wafLikeInfo()).schema as RecordSchema;

function check(config: unknown): { filled: Record<string, unknown>; errors: unknown } {
  const filled = processAutoFields(pluginSchema, config === undefined ? {} : { config }, 'insert');
  return { filled, errors: validateRecord(pluginSchema, filled) };
}

describe('defaults (process_auto_fields)', () => {
  it('fills an absent config completely: defaults, nulls, nested required records', () => {
    const { filled, errors } = check(undefined);
    expect(errors).toBeNull();
    expect(filled.config).toEqual({
      mode: 'block',
      paranoia_level: 1,
      anomaly_threshold: 5,
      allow_cidrs: [],
      body: { max_bytes: 1048576, content_types: ['application/json'] },
      collector: null,
      labels: null,
      rule_ids: null,
      tag: null,
    });
  });

  it('keeps given values, fills the rest, fills nested records given partially', () => {
    const { filled, errors } = check({ mode: 'monitoring', body: { max_bytes: 10 }, collector: { url: 'https://c' } });
    expect(errors).toBeNull();
    const c = filled.config as Record<string, unknown>;
    expect(c.mode).toBe('monitoring');
    expect(c.body).toEqual({ max_bytes: 10, content_types: ['application/json'] });
    expect(c.collector).toEqual({ url: 'https://c', api_key: null });
  });

  it('removes duplicates from sets and does not share default objects', () => {
    const a = check({ body: { content_types: ['a', 'a', 'b'] } }).filled.config as { body: { content_types: string[] } };
    expect(a.body.content_types).toEqual(['a', 'b']);
    const b = check(undefined).filled.config as { allow_cidrs: string[] };
    b.allow_cidrs.push('x');
    expect((check(undefined).filled.config as { allow_cidrs: string[] }).allow_cidrs).toEqual([]);
  });
});

describe('validation messages (Kong wording)', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['one_of', { mode: 'nope' }, { mode: 'expected one of: off, monitoring, block' }],
    ['between', { paranoia_level: 9 }, { paranoia_level: 'value should be between 1 and 4' }],
    ['integer', { paranoia_level: 1.5 }, { paranoia_level: 'expected an integer' }],
    ['gt', { anomaly_threshold: 0 }, { anomaly_threshold: 'value must be greater than 0' }],
    ['number', { anomaly_threshold: 'x' }, { anomaly_threshold: 'expected a number' }],
    ['string', { mode: 3 }, { mode: 'expected a string' }],
    ['empty string', { tag: '' }, { tag: 'length must be at least 1' }],
    ['len_max', { tag: 'abcdefghij' }, { tag: 'length must be at most 8' }],
    ['not_match', { tag: 'a b' }, { tag: 'invalid value: a b' }],
    ['array', { allow_cidrs: 'x' }, { allow_cidrs: 'expected an array' }],
    ['match in elements', { allow_cidrs: ['10.0.0.0/8', 'bad'] }, { allow_cidrs: [null, 'invalid value: bad'] }],
    ['set', { body: { content_types: 5 } }, { body: { content_types: 'expected a set' } }],
    ['record', { body: 'x' }, { body: 'expected a record' }],
    ['nested required', { collector: {} }, { collector: { url: 'required field missing' } }],
    ['starts_with', { collector: { url: 'ftp://x' } }, { collector: { url: 'should start with: http' } }],
    ['map', { labels: 'x' }, { labels: 'expected a map' }],
    ['map values', { labels: { a: 1 } }, { labels: 'expected a string' }],
    ['unknown', { nope: 1 }, { nope: 'unknown field' }],
    ['element type', { rule_ids: [1, 'x'] }, { rule_ids: [null, 'expected an integer'] }],
  ];
  it.each(cases)('%s', (_name, config, expected) => {
    expect(check(config).errors).toEqual({ config: expected });
  });

  it('reports several fields at once', () => {
    expect(check({ mode: 'x', paranoia_level: 0 }).errors).toEqual({
      config: { mode: 'expected one of: off, monitoring, block', paranoia_level: 'value should be between 1 and 4' },
    });
  });

  it('null for a required record is reported; references skip validators', () => {
    expect(check({ body: null }).errors).toEqual({ config: { body: 'required field missing' } });
    expect(check({ collector: { url: 'https://x', api_key: '{vault://env/KEY}' } }).errors).toBeNull();
  });

  it('validateField on booleans and len_eq on maps', () => {
    expect(validateField({ type: 'boolean' }, 'true')).toBe('expected a boolean');
    expect(validateField({ type: 'map', keys: { type: 'string' }, values: { type: 'string' }, len_eq: 1 }, { a: 'b', c: 'd' })).toBe('length must be 1');
  });
});

describe('merge_values (PATCH)', () => {
  it('merges records field by field and replaces arrays', () => {
    const base = check({ mode: 'block', allow_cidrs: ['1.2.3.4/32'] }).filled;
    const merged = mergeValues(pluginSchema, { config: { mode: 'off', allow_cidrs: [] } }, base);
    const c = merged.config as Record<string, unknown>;
    expect(c.mode).toBe('off');
    expect(c.allow_cidrs).toEqual([]);
    expect(c.paranoia_level).toBe(1);
  });
});
