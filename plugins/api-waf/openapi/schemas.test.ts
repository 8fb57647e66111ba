import { loadOpenApi } from './compile';
import { validateRequest } from './validate';

/** One POST /t operation whose JSON body has `schema`; returns a body checker. */
function bodyChecker(schema: unknown, openapi = '3.0.3'): (body: unknown) => string | null {
  const doc = { openapi, info: { title: 't', version: '1' }, paths: { '/t': { post: { requestBody: { content: { 'application/json': { schema } } }, responses: {} } } } };
  const r = loadOpenApi({ source: { text: JSON.stringify(doc) } });
  if (!r.ok) throw new Error(r.error);
  return (body) => {
    const v = validateRequest(r.api, { method: 'POST', path: '/t', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
    return v.length === 0 ? null : v[0].reason;
  };
}

describe('OpenAPI 3.0 → JSON Schema translation', () => {
  it('nullable with a type, with an enum, and without a type (allOf of a ref)', () => {
    const check = bodyChecker({
      type: 'object',
      properties: {
        a: { type: 'integer', nullable: true },
        b: { type: 'string', enum: ['x', 'y'], nullable: true },
        c: { allOf: [{ type: 'object', required: ['id'] }], nullable: true },
        d: { type: 'string' },
      },
    });
    expect(check({ a: null, b: null, c: null })).toBeNull();
    expect(check({ c: { id: 1 } })).toBeNull();
    expect(check({ c: {} })).toMatch(/body\.json\.c\.id: is required/);
    expect(check({ d: null })).toMatch(/body\.json\.d: must be string/);
  });

  it('boolean exclusiveMinimum / exclusiveMaximum', () => {
    const check = bodyChecker({ type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false } } });
    expect(check({ n: 0 })).toMatch(/must be > 0/);
    expect(check({ n: 10 })).toBeNull();
    expect(check({ n: 10.5 })).toMatch(/must be <= 10/);
  });

  it('drops annotations and x- extensions; OpenAPI formats int32, byte', () => {
    const check = bodyChecker({
      type: 'object',
      example: { n: 1 },
      'x-vendor': true,
      discriminator: { propertyName: 'kind' },
      properties: { n: { type: 'integer', format: 'int32', xml: { name: 'N' } }, b: { type: 'string', format: 'byte' }, s: { type: 'string', format: 'made-up-format' } },
    });
    expect(check({ n: 5, b: 'aGVsbG8=', s: 'anything' })).toBeNull();
    expect(check({ n: 2 ** 31 })).toMatch(/must be a valid int32/);
    expect(check({ b: 'not base64!' })).toMatch(/must be a valid byte/);
  });

  it('3.1: numeric exclusive bounds, type lists, const, and refusing 3.0-only shapes it cannot mean', () => {
    const check = bodyChecker({ type: 'object', properties: { n: { type: ['integer', 'null'], exclusiveMinimum: 0 }, k: { const: 'v' } } }, '3.1.0');
    expect(check({ n: null, k: 'v' })).toBeNull();
    expect(check({ n: 0 })).toMatch(/must be > 0/);
    expect(check({ k: 'w' })).toMatch(/must be equal to constant/);
    expect(loadOpenApi({ source: { text: JSON.stringify({ openapi: '3.1.0', paths: { '/t': { post: { requestBody: { content: { 'application/json': { schema: { $dynamicRef: '#x' } } } } } } } }) } })).toMatchObject({ ok: false, error: expect.stringMatching(/\$dynamicRef is not supported/) });
  });

  it('HEAD falls back to GET; patterns run on RE2', () => {
    const doc = { openapi: '3.0.3', paths: { '/t': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string', pattern: '^(a|b)+$' } }], responses: {} } } } };
    const r = loadOpenApi({ source: { text: JSON.stringify(doc) } });
    if (!r.ok) throw new Error(r.error);
    expect(validateRequest(r.api, { method: 'HEAD', path: '/t', query: 'q=abab', headers: {} })).toEqual([]);
    // a classic catastrophic-backtracking input for backtracking engines; RE2 answers in linear time
    expect(validateRequest(r.api, { method: 'GET', path: '/t', query: `q=${'ab'.repeat(5000)}c`, headers: {} })[0].reason).toMatch(/must match pattern/);
  });
});
