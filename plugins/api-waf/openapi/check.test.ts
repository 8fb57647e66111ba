import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pluginSchemaProblem } from '../../../gateway/config/metaschema';
import { processAutoFields, validateRecord, type RecordSchema } from '../../../gateway/config/kong-schema';
import { generateOpenApi } from '../../../spec/fixtures/openapi/generate';
import { checkDocument, openApiConfigErrors } from './check';
import { clearOpenApiCache, loadOpenApi } from './compile';
import { OpenApiEnforcer } from './enforcer';
import { OPENAPI_FIELD } from './schema-fields';

const FIXTURES = path.join(__dirname, '../../../spec/fixtures/openapi');
const broken = (name: string): string | null => checkDocument({ source: { file: path.join(FIXTURES, 'broken', name) } });

describe('checkDocument: broken documents are a clear error, never an exception', () => {
  it.each([
    ['bad-ref.yaml', /#\/paths\/~1a\/get\/parameters\/0: \$ref "#\/components\/parameters\/Missing" does not resolve/],
    ['missing-file.yaml', /cannot read .*nowhere\.yaml/],
    ['bad-schema.yaml', /#\/paths\/~1a\/get\/parameters\/0\/schema: schema rejected: .*minimum/],
    ['typo-keyword.yaml', /unknown schema keyword "maxLenght"/],
    ['backtracking-pattern.yaml', /schema rejected/],
    ['unparsable.yaml', /not valid YAML/],
  ])('%s', (file, message) => {
    expect(broken(file)).toMatch(message);
  });

  it('inline text: JSON, YAML, versions, relative refs', () => {
    expect(checkDocument({ source: { text: '{"openapi": "3.0.3", "paths": {' } })).toMatch(/not valid JSON/);
    expect(checkDocument({ source: { text: 'swagger: "2.0"\npaths: {}\n' } })).toMatch(/Swagger 2.0/);
    expect(checkDocument({ source: { text: 'openapi: 4.0.0\npaths: {}\n' } })).toMatch(/3.0.x or 3.1.x/);
    expect(checkDocument({ source: { text: 'openapi: 3.1.0\npaths:\n  /a:\n    $ref: "other.yaml#/A"\n' } })).toMatch(/inline spec: relative files need the spec to be given as a file path/);
    expect(checkDocument({ source: { text: 'openapi: 3.1.0\npaths: {}\nx: {$ref: "https://evil.example/s.json"}\n' } })).toMatch(/only local and relative/);
    expect(checkDocument({ source: { text: JSON.stringify(generateOpenApi(2)) } })).toBeNull();
    expect(checkDocument({ source: { file: 'relative/path.yaml' } })).toMatch(/absolute path/);
  });

  it('YAML alias bombs are refused', () => {
    const lines = ['openapi: 3.0.3', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('paths: {}');
    expect(checkDocument({ source: { text: lines.join('\n') } })).toMatch(/not valid YAML/);
  });

  it('recursive $refs terminate; a pure $ref cycle is an error', () => {
    const cyclic = { openapi: '3.0.3', paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } }, responses: {} } } }, components: { schemas: { A: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' }, b: { $ref: '#/components/schemas/B' } } }, B: { $ref: '#/components/schemas/A' } } } };
    expect(checkDocument({ source: { text: JSON.stringify(cyclic) } })).toBeNull();
    const loop = { openapi: '3.0.3', paths: { '/a': { $ref: '#/components/x/P' } }, components: { x: { P: { $ref: '#/components/x/Q' }, Q: { $ref: '#/components/x/P' } } } };
    expect(checkDocument({ source: { text: JSON.stringify(loop) } })).toMatch(/cycle/);
  });
});

describe('compile cache', () => {
  it('is keyed by the content of every file, so an edit to a referenced file recompiles', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-'));
    try {
      clearOpenApiCache();
      const main = path.join(dir, 'api.yaml');
      fs.writeFileSync(main, 'openapi: 3.0.3\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: "p.yaml#/P"\n      responses: {}\n');
      fs.writeFileSync(path.join(dir, 'p.yaml'), 'P: { name: n, in: query, schema: { type: integer, maximum: 5 } }\n');
      const first = loadOpenApi({ source: { file: main } });
      const again = loadOpenApi({ source: { file: main } });
      expect(first.ok && again.ok && again.cached && again.api === first.api).toBe(true);
      fs.writeFileSync(path.join(dir, 'p.yaml'), 'P: { name: n, in: query, schema: { type: integer, maximum: 50 } }\n');
      const edited = loadOpenApi({ source: { file: main } });
      expect(edited.ok && !edited.cached).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config: enforcer, Admin API hook, Kong schema fields', () => {
  const file = path.join(FIXTURES, 'orders-3.0.yaml');

  it('OpenApiEnforcer.fromConfig: off, broken, working with the per-class policy', () => {
    expect(OpenApiEnforcer.fromConfig({ enabled: false })).toEqual({ enforcer: null, error: null, cached: false });
    expect(OpenApiEnforcer.fromConfig({ enabled: true }).error).toMatch(/neither spec_file nor spec_inline/);
    expect(OpenApiEnforcer.fromConfig({ enabled: true, spec_file: path.join(FIXTURES, 'broken/bad-ref.yaml') }).error).toMatch(/^openapi: .*does not resolve/);
    const { enforcer } = OpenApiEnforcer.fromConfig({ enabled: true, spec_file: file, on_violation: { unknown_parameter: 'report', invalid_parameter: 'ignore' } });
    if (!enforcer) throw new Error('no enforcer');
    const get = (query: string) => enforcer.check({ method: 'GET', path: '/v1/orders', query, headers: { 'x-tenant': 'acme' } });
    expect(get('debug=1')).toMatchObject({ block: false, rule: 'openapi.unknown_parameter', reported: [{ point: 'query.debug' }] });
    expect(get('limit=1000')).toMatchObject({ block: false, reported: [], violations: [{ class: 'invalid_parameter' }] });
    expect(enforcer.check({ method: 'GET', path: '/v1/admin', query: '', headers: {} })).toMatchObject({ block: true, rule: 'openapi.unknown_endpoint' });
  });

  it('openApiConfigErrors: the error tree the Admin API answers with', () => {
    expect(openApiConfigErrors({ openapi: { enabled: true, spec_file: file } })).toBeNull();
    expect(openApiConfigErrors({ openapi: { enabled: false, spec_inline: 'garbage' } })).toBeNull();
    expect(openApiConfigErrors({ openapi: { enabled: true, spec_inline: 'openapi: 3.0.3\npaths: {/a: {get: {parameters: [{$ref: "#/nope"}]}}}' } })).toEqual({
      openapi: { spec_inline: expect.stringMatching(/does not resolve/) },
    });
    expect(openApiConfigErrors({ openapi: { enabled: true, spec_file: '/nonexistent/api.yaml' } })).toEqual({ openapi: { spec_file: expect.stringMatching(/cannot read/) } });
  });

  it('OPENAPI_FIELD passes Kong\'s metaschema and validates configs as the Admin API would', () => {
    const schema = { name: 'api-waf', fields: [{ config: { type: 'record', fields: [OPENAPI_FIELD] } }] };
    expect(pluginSchemaProblem(schema as never)).toBeFalsy();
    const record = OPENAPI_FIELD.openapi as unknown as RecordSchema;
    const check = (input: Record<string, unknown>) => validateRecord(record, processAutoFields(record, input, 'insert'));
    expect(processAutoFields(record, {}, 'insert')).toMatchObject({ enabled: false, on_violation: { unknown_endpoint: 'block', invalid_body: 'block' } });
    expect(check({ enabled: true, spec_file: file })).toBeNull();
    expect(check({ enabled: true })).toBeTruthy();
    expect(check({ enabled: true, spec_file: file, spec_inline: 'openapi: 3.0.3' })).toBeTruthy();
    expect(check({ enabled: true, spec_file: 'relative.yaml' })).toMatchObject({ spec_file: expect.any(String) });
    expect(check({ enabled: true, spec_inline: 'hello world' })).toMatchObject({ spec_inline: expect.any(String) });
    expect(check({ enabled: true, spec_inline: '{"openapi": "3.1.0", "paths": {}}' })).toBeNull();
    expect(check({ on_violation: { invalid_body: 'explode' } })).toMatchObject({ on_violation: { invalid_body: expect.any(String) } });
  });
});

describe('Admin API hook', () => {
  it('turns broken documents and rules into a schema violation like a DSL failure', () => {
    // imported here so the test reads top-down: this is what gateway/config would call
    const { apiWafConfigErrors } = require('./admin-hook') as typeof import('./admin-hook');
    const { daoErrors } = require('../../../gateway/config/errors') as typeof import('../../../gateway/config/errors');
    const tree = apiWafConfigErrors({
      openapi: { enabled: true, spec_inline: 'openapi: 3.0.3\npaths: {/a: {get: {parameters: [{$ref: "#/nope"}]}}}' },
      custom_rules: [{ id: 'r', point: 'q', match: 're2', value: '(?=x)' }],
    });
    expect(tree).not.toBeNull();
    const err = daoErrors.schemaViolation({ config: tree as never });
    expect(err.message).toMatch(/config\.openapi/);
    expect(err.message).toMatch(/does not resolve/);
    expect(err.message).toMatch(/not a valid RE2/);
    expect(apiWafConfigErrors({ openapi: { enabled: false }, exceptions: [], custom_rules: [] })).toBeNull();
  });
});
