/**
 * One kong-js-pluginserver per plugin (Kong 3.9+ keeps only the first plugin of each query), each with
 * its own plugins directory, socket and `--sock-name`, configured exactly like protocol notes §1.7:
 *   query: <node> <server> --plugins-directory <abs dir> --dump-all-plugins
 *   start: <node> <server> -v --kong-prefix <prefix> --sock-name <name>.sock --plugins-directory <abs dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GatewayLog } from './log';
import { PluginServerProcess, type ServerDef } from './process';
import { queryPluginInfo } from './query';
import { PLUGINSERVER_V8_FLAGS } from '../pluginserver/v8-flags';
import type { PluginEndpoint } from './driver';

export type ServerEntry = 'fixed' | 'fixed-no-leak-fix' | 'kong';

const REPO_ROOT = path.resolve(__dirname, '..', '..', fs.existsSync(path.resolve(__dirname, '..', '..', 'package.json')) ? '' : '..');

/** The command (absolute paths) that runs a plugin server. */
export function pluginServerCommand(entry: ServerEntry): { file: string; args: string[] } {
  const flags = [...PLUGINSERVER_V8_FLAGS];
  if (entry === 'kong') {
    return { file: process.execPath, args: [...flags, require.resolve('kong-pdk/bin/kong-js-pluginserver')] };
  }
  const extra = entry === 'fixed-no-leak-fix' ? ['--no-leak-fix'] : [];
  const compiled = path.join(REPO_ROOT, 'dist', 'gateway', 'pluginserver', 'server.js');
  const source = path.join(REPO_ROOT, 'gateway', 'pluginserver', 'server.ts');
  const here = path.join(__dirname, '..', 'pluginserver', 'server.js');
  if (fs.existsSync(here)) return { file: process.execPath, args: [...flags, here, ...extra] };
  if (fs.existsSync(compiled) && (!fs.existsSync(source) || fs.statSync(compiled).mtimeMs >= fs.statSync(source).mtimeMs)) {
    return { file: process.execPath, args: [...flags, compiled, ...extra] };
  }
  // Running from TypeScript sources (jest): transpile our entry on the fly.
  return { file: process.execPath, args: [...flags, '-r', require.resolve('ts-node/register/transpile-only'), source, ...extra] };
}

export interface PluginServerSetOptions {
  /** Absolute plugin directories, one plugin each. */
  pluginDirs: string[];
  /** Directory for the sockets (Kong: its prefix). */
  prefix: string;
  log: GatewayLog;
  entry?: ServerEntry;
  env?: NodeJS.ProcessEnv;
  /** Pass -v to the servers (debug logging). */
  verbose?: boolean;
}

export interface PluginServerSet {
  endpoints: PluginEndpoint[];
  processes: Map<string, PluginServerProcess>;
  stop(): Promise<void>;
}

/** Queries every plugin directory, then starts one server per plugin and waits for its socket. */
export async function startPluginServers(opts: PluginServerSetOptions): Promise<PluginServerSet> {
  const cmd = pluginServerCommand(opts.entry ?? 'fixed');
  fs.mkdirSync(opts.prefix, { recursive: true });
  // The server resolves tsconfig/ts-node from its cwd; run it from the repository root.
  const cwd = REPO_ROOT;
  const env = { ...process.env, ...opts.env, TS_NODE_TRANSPILE_ONLY: 'true' };
  const infos = await Promise.all(
    opts.pluginDirs.map(async (dir) => {
      if (!path.isAbsolute(dir)) throw new Error(`plugins directory must be absolute (kong-js-pluginserver crashes otherwise): ${dir}`);
      const info = await queryPluginInfo(path.basename(dir), {
        file: cmd.file,
        args: [...cmd.args, '--plugins-directory', dir, '--dump-all-plugins'],
        cwd,
        env,
      });
      return { dir, info };
    }),
  );
  const endpoints: PluginEndpoint[] = [];
  const processes = new Map<string, PluginServerProcess>();
  const seen = new Set<string>();
  try {
    for (const { dir, info } of infos) {
      if (seen.has(info.Name)) throw new Error(`plugin ${info.Name} is served by two plugin servers`);
      seen.add(info.Name);
      const sockName = `${info.Name}.sock`;
      const def: ServerDef = {
        name: info.Name,
        socket: path.join(opts.prefix, sockName),
        start: {
          file: cmd.file,
          args: [...cmd.args, ...(opts.verbose ? ['-v'] : []), '--kong-prefix', opts.prefix, '--sock-name', sockName, '--plugins-directory', dir],
          env,
          cwd,
        },
      };
      const proc = new PluginServerProcess(def, opts.log);
      processes.set(info.Name, proc);
      endpoints.push({ info, socket: def.socket });
    }
    await Promise.all([...processes.values()].map((p) => p.start()));
  } catch (err) {
    await Promise.all([...processes.values()].map((p) => p.stop()));
    throw err;
  }
  return {
    endpoints,
    processes,
    async stop() {
      await Promise.all([...processes.values()].map((p) => p.stop()));
    },
  };
}
