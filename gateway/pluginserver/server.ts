#!/usr/bin/env node
/**
 * Our entry for kong-pdk's plugin server: the same CLI as `kong-js-pluginserver`
 * (`-p/--kong-prefix`, `--sock-name`, `-d/--plugins-directory`, `--dump-plugin-info`,
 * `--dump-all-plugins`, `-v`), reusing kong-pdk's own `Server` and `Listener`, plus the event-leak
 * fix from ./leak-fix. Used by the Docker image (as the pluginserver start/query command) and by the
 * local gateway.
 *
 * Extra switch: `--no-leak-fix` (or env `KONG_SHIELD_NO_LEAK_FIX=1`) runs the unfixed server, so a
 * soak test can compare memory growth.
 *
 * The fix depends on kong-pdk internals (`events`, `step`), so the installed version is pinned:
 * anything other than 0.6.0 makes this entry exit non-zero before doing anything else.
 */
import path from 'node:path';
import { applyLeakFix, type PluginServerLike } from './leak-fix';
import { installDiagnostics } from './diagnostics';
import { installConfigValidation } from './validate-config';

export const PINNED_KONG_PDK_VERSION = '0.6.0';
export const NO_LEAK_FIX_FLAG = '--no-leak-fix';
export const NO_LEAK_FIX_ENV = 'KONG_SHIELD_NO_LEAK_FIX';

interface CliOptions {
  kongPrefix: string;
  sockName: string;
  pluginsDirectory: string;
  logLevel: string;
  DumpPluginInfo?: string;
  DumpAllPlugins?: boolean;
}

interface KongPdkServer extends PluginServerLike {
  getPlugins(): Map<string, unknown>;
  GetPluginInfo(name: string): Promise<unknown>;
  close(): void;
}

type ServerCtor = new (dir: string, logger: unknown) => KongPdkServer;
type ListenerCtor = new (server: KongPdkServer, socketPath: string) => { serve(): unknown };

export function installedKongPdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('kong-pdk/package.json') as { version: string }).version;
}

/** Exits the process loudly when the installed kong-pdk is not the version the fix was written for. */
export function assertPinnedVersion(version = installedKongPdkVersion()): void {
  if (version === PINNED_KONG_PDK_VERSION) return;
  process.stderr.write(
    `\n*** kong-api-shield pluginserver: kong-pdk ${version} is installed, but the event-leak fix ` +
      `was written for kong-pdk ${PINNED_KONG_PDK_VERSION} (it patches server.js internals).\n` +
      `*** Refusing to start. Install kong-pdk@${PINNED_KONG_PDK_VERSION} or re-verify the fix.\n\n`,
  );
  process.exit(3);
}

/** Removes our own flag from argv (kong-pdk's commander setup rejects unknown options). */
export function takeNoLeakFixFlag(argv: string[], env: NodeJS.ProcessEnv): { argv: string[]; leakFix: boolean } {
  const rest = argv.filter((a) => a !== NO_LEAK_FIX_FLAG);
  const envOff = ['1', 'true', 'on', 'yes'].includes(String(env[NO_LEAK_FIX_ENV] ?? '').toLowerCase());
  return { argv: rest, leakFix: rest.length === argv.length && !envOff };
}

export function main(): void {
  assertPinnedVersion();
  const { argv, leakFix } = takeNoLeakFixFlag(process.argv, process.env);
  process.argv = argv;

  /* eslint-disable @typescript-eslint/no-require-imports */
  const msgpack = require('@msgpack/msgpack') as { encode(v: unknown): Uint8Array };
  const logger = require('node-color-log') as { setLevel(l: string): void; info(...a: unknown[]): void };
  const cli = require('kong-pdk/cli') as { parse(): CliOptions };
  const Server = require('kong-pdk/server') as ServerCtor;
  const Listener = require('kong-pdk/listener') as ListenerCtor;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const opts = cli.parse();
  logger.setLevel(opts.logLevel);
  const server = new Server(opts.pluginsDirectory, logger);

  if (opts.DumpPluginInfo) {
    void server.GetPluginInfo(opts.DumpPluginInfo).then((info) => process.stdout.write(msgpack.encode(info)));
  } else if (opts.DumpAllPlugins) {
    // Exactly the JSON line kong-js-pluginserver prints: nothing else may reach stdout here.
    void Promise.all([...server.getPlugins().keys()].map((name) => server.GetPluginInfo(name))).then((infos) =>
      process.stdout.write(JSON.stringify(infos) + '\n'),
    );
  } else {
    if (leakFix) applyLeakFix(server);
    else logger.info('event-leak fix DISABLED (--no-leak-fix)');
    // `plugin.ShieldDiagnostics`: memory and map sizes for the soak/memory tests (Kong never calls it).
    installDiagnostics(server, leakFix);
    installConfigValidation(server);
    new Listener(server, path.join(opts.kongPrefix, opts.sockName)).serve();
  }
  // As bin/kong-js-pluginserver does: this clears the idle-instance expiry timer (CLI servers never expire instances).
  server.close();
}

if (require.main === module) main();
