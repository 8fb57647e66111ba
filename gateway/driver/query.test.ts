/** Plugin-info query parsing and validation, as Kong 3.9+. */
import path from 'node:path';
import { parsePluginInfoDump, PluginQueryError, queryPluginInfo, validatePluginInfo } from './query';
import { pluginServerCommand } from './pluginservers';

const info = (over: Record<string, unknown> = {}) => ({
  Name: 'p', Version: '1.2.3', Phases: ['access'], Priority: 10,
  Schema: { name: 'p', fields: [{ config: { type: 'record', fields: [{ a: { type: 'string' } }] } }] },
  ...over,
});

test('keeps only the first plugin (Kong 3.9+)', () => {
  const dump = JSON.stringify([info({ Name: 'first' }), info({ Name: 'second' })]);
  expect(parsePluginInfoDump('s', dump).Name).toBe('first');
  expect(parsePluginInfoDump('s', JSON.stringify({ Protocol: 'MsgPack:1', Plugins: [info({ Name: 'go' })] })).Name).toBe('go');
});

test('non-JSON stdout (load warnings) is fatal', () => {
  expect(() => parsePluginInfoDump('s', 'WARN error loading plugin\n[{"Name":"p"}]')).toThrow(/failed decoding plugin info/);
  expect(() => parsePluginInfoDump('s', '[]')).toThrow(PluginQueryError);
});

test('Version x.y.z and integer Priority', () => {
  expect(() => validatePluginInfo(info({ Version: undefined }))).toThrow(/VERSION/);
  expect(() => validatePluginInfo(info({ Version: '1.0' }))).toThrow(/VERSION/);
  expect(() => validatePluginInfo(info({ Priority: 1.5 }))).toThrow(/PRIORITY/);
});

test('metaschema rules', () => {
  const withField = (spec: unknown) => info({ Schema: { name: 'p', fields: [{ config: { type: 'record', fields: [{ f: spec }] } }] } });
  expect(() => validatePluginInfo(withField({ type: 'strin' }))).toThrow(/invalid type/);
  expect(() => validatePluginInfo(withField({ type: 'array' }))).toThrow(/elements/);
  expect(() => validatePluginInfo(withField({ type: 'set', elements: { type: 'string' } }))).not.toThrow();
  expect(() => validatePluginInfo(withField({ type: 'map', keys: { type: 'string' } }))).toThrow(/values/);
  expect(() => validatePluginInfo(withField({ type: 'record' }))).toThrow(/fields/);
  expect(() => validatePluginInfo(withField({ type: 'string', description: 'short' }))).toThrow(/description/);
  expect(() => validatePluginInfo(withField({ type: 'string', description: 'long enough text' }))).not.toThrow();
  expect(() => validatePluginInfo(withField({ type: 'record', fields: [{ g: { type: 'array' } }] }))).toThrow(/f\.g/);
});

test('the real query command for a fixture plugin', async () => {
  const cmd = pluginServerCommand('kong');
  const dir = path.resolve(__dirname, '..', '..', 'spec', 'fixtures', 'plugins', 'waf-demo');
  const res = await queryPluginInfo('waf-demo', { file: cmd.file, args: [...cmd.args, '--plugins-directory', dir, '--dump-all-plugins'] });
  expect(res).toMatchObject({ Name: 'waf-demo', Version: '0.1.0', Priority: 1500 });
});
