/**
 * Plugin-info query, as Kong 3.9+ does it (`kong/runloop/plugin_servers/process.lua:
 * query_external_plugin_info`, `kong/db/dao/plugins.lua: load_plugin_handler`,
 * `kong/db/schema/metaschema.lua`): run the query command, decode stdout as JSON (anything else is
 * fatal, as it makes Kong refuse to start), keep ONLY the first plugin, then check Version/Priority and
 * the schema against the metaschema rules that can be expressed in JSON.
 */
import { execFile } from 'node:child_process';
import type { KongFieldDef, KongFieldSpec, PluginInfo } from '../config/types';

export class PluginQueryError extends Error {
  override name = 'PluginQueryError';
}

export interface QueryCommand {
  /** Absolute path of the executable (Kong runs query commands with a limited PATH). */
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs the query command and returns the validated info of the first plugin it reports. */
export async function queryPluginInfo(serverName: string, cmd: QueryCommand): Promise<PluginInfo> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      cmd.file,
      cmd.args,
      { cwd: cmd.cwd, env: cmd.env ?? process.env, timeout: cmd.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (err) reject(new PluginQueryError(`error loading plugins info from [${serverName}]: ${err.message}${errOut ? `\n${errOut}` : ''}`));
        else resolve(out);
      },
    );
  });
  return parsePluginInfoDump(serverName, stdout);
}

/** Decodes a `--dump-all-plugins` output the way Kong 3.9+ does. */
export function parsePluginInfoDump(serverName: string, stdout: string): PluginInfo {
  let dump: unknown;
  try {
    dump = JSON.parse(stdout);
  } catch (err) {
    throw new PluginQueryError(
      `failed decoding plugin info from [${serverName}]: ${(err as Error).message} ` +
        `(stdout must be exactly one JSON document; load warnings or console.log output break it): ${stdout.slice(0, 300)}`,
    );
  }
  if (dump === null || typeof dump !== 'object') {
    throw new PluginQueryError(`not a plugin info table: [${serverName}]\n${stdout.slice(0, 300)}`);
  }
  const list = (dump as { Plugins?: unknown }).Plugins ?? dump;
  const first = Array.isArray(list) ? list[0] : (list as Record<string, unknown>)['1'];
  if (first === undefined || first === null || typeof first !== 'object') {
    throw new PluginQueryError(`plugin server [${serverName}] reported no plugin (is its plugins directory empty?)`);
  }
  return validatePluginInfo(first as Record<string, unknown>);
}

const VERSION_RE = /^\d+\.\d+\.\d+$/;

export function validatePluginInfo(raw: Record<string, unknown>): PluginInfo {
  const name = raw.Name;
  if (typeof name !== 'string' || name === '') throw new PluginQueryError('plugin info has no Name');
  if (!Number.isInteger(raw.Priority)) {
    throw new PluginQueryError(`Plugin "${name}" cannot be loaded because its PRIORITY field is not a valid integer number, got: "${String(raw.Priority)}"`);
  }
  if (typeof raw.Version !== 'string' || !VERSION_RE.test(raw.Version)) {
    throw new PluginQueryError(`Plugin "${name}" cannot be loaded because its VERSION field does not follow the "x.y.z" format, got: "${String(raw.Version)}"`);
  }
  const phases = Array.isArray(raw.Phases) ? raw.Phases.filter((p): p is string => typeof p === 'string') : [];
  const schema = raw.Schema as PluginInfo['Schema'] | undefined;
  if (!schema || typeof schema !== 'object' || !Array.isArray(schema.fields)) {
    throw new PluginQueryError(`plugin "${name}": Schema must be { name, fields: [...] }`);
  }
  const problems = checkFields(schema.fields, 'schema');
  if (problems.length > 0) {
    throw new PluginQueryError(`error loading plugin schema "${name}": ${problems.join('; ')}`);
  }
  return { Name: name, Version: raw.Version, Phases: phases, Priority: raw.Priority as number, Schema: schema };
}

/** Types Kong's `Schema.valid_types` accepts in a plugin subschema written as JSON. */
const VALID_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'set', 'map', 'record', 'json']);

/** Metaschema checks (`kong/db/schema/metaschema.lua`) that apply to JSON-expressible schemas. */
export function checkFields(fields: unknown, where: string): string[] {
  const problems: string[] = [];
  if (!Array.isArray(fields)) return [`${where}: fields must be an array`];
  fields.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || Object.keys(entry).length !== 1) {
      problems.push(`${where}.fields[${i}]: each field must be a one-key object { name: definition }`);
      return;
    }
    const [fieldName, spec] = Object.entries(entry as KongFieldDef)[0];
    problems.push(...checkField(spec, `${where}.${fieldName}`));
  });
  return problems;
}

function checkField(spec: KongFieldSpec | undefined, where: string): string[] {
  if (!spec || typeof spec !== 'object') return [`${where}: definition must be an object`];
  const problems: string[] = [];
  if (typeof spec.type !== 'string' || !VALID_TYPES.has(spec.type)) {
    problems.push(`${where}: invalid type ${JSON.stringify(spec.type)}`);
  }
  if (spec.description !== undefined) {
    if (typeof spec.description !== 'string' || spec.description.length < 10 || spec.description.length > 500) {
      problems.push(`${where}: description length must be between 10 and 500`);
    }
  }
  if (spec.between !== undefined && !(Array.isArray(spec.between) && spec.between.length === 2)) {
    problems.push(`${where}: between must be [min, max]`);
  }
  if (spec.one_of !== undefined && !Array.isArray(spec.one_of)) problems.push(`${where}: one_of must be an array`);
  switch (spec.type) {
    case 'array':
    case 'set':
      if (!spec.elements) problems.push(`${where}: field of type '${spec.type}' must declare 'elements'`);
      else problems.push(...checkField(spec.elements, `${where}.elements`));
      break;
    case 'map':
      if (!spec.keys) problems.push(`${where}: field of type 'map' must declare 'keys'`);
      else problems.push(...checkField(spec.keys, `${where}.keys`));
      if (!spec.values) problems.push(`${where}: field of type 'map' must declare 'values'`);
      else problems.push(...checkField(spec.values, `${where}.values`));
      break;
    case 'record':
      if (!spec.fields) problems.push(`${where}: field of type 'record' must declare 'fields'`);
      else problems.push(...checkFields(spec.fields, where));
      break;
    default:
      break;
  }
  return problems;
}
