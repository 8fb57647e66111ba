/**
 * The Kong side of the plugin-server protocol for one gateway: simulated nginx workers, each with its
 * own RPC objects (msgid counter + connection pool per plugin), instance cache and round-robin share
 * of requests; instance lifecycle (`plugin.lua: get_instance_id`, `reset_instance`) and the event loop
 * (`mp_rpc.lua: bridge_loop`, `handle_event`).
 *
 * Error policy, as Kong 3.x mp_rpc:
 * - StartInstance failure -> PhaseFailure (the proxy answers 500 in access);
 * - a Lua error raised by an emulated PDK function -> event abandoned (no reply) -> PhaseFailure;
 * - an RPC error containing "no plugin instance" -> drop that plugin's instances in every worker and
 *   run the handler again;
 * - any other RPC error (connect refused, server died, timeout, error reply) -> logged, the request
 *   continues as if the plugin had passed (fail-open);
 * - `kong.response.exit` / `error` -> recorded in ctx.exit and NEVER answered.
 */
import type { PluginCatalog, PluginInfo } from '../config/types';
import type { GatewayLog } from './log';
import type { KongConf } from './plugins-iterator';
import { RpcClient, RpcError } from './rpc';
import { bump, type Phase, type RequestContext } from './pdk/context';
import { buildError, buildExit } from './pdk/exit';
import { lookupPdk, MULTIMAP_METHODS, RAW_METHODS, stepMethodFor, type PdkEnv } from './pdk/functions';
import { LuaError, fixMultiMap, fixRaw, toLuaValue } from './pdk/values';

/** The phase failed the way a Lua error fails an nginx phase handler (HTTP 500 in access). */
export class PhaseFailure extends Error {
  override name = 'PhaseFailure';
}

export type EventOutcome = 'ok' | 'exit';

interface InstanceInfo {
  id?: number;
  seq: number;
  pluginId: string;
  pluginName: string;
  starting?: Promise<void>;
}

export class SimulatedWorker {
  readonly rpc = new Map<string, RpcClient>();
  readonly instances = new Map<string, InstanceInfo>();
  constructor(readonly id: number) {}
}

export interface PluginEndpoint {
  info: PluginInfo;
  socket: string;
}

export interface DriverOptions {
  plugins: PluginEndpoint[];
  workers?: number;
  log: GatewayLog;
  pdkEnv: PdkEnv;
  rpcTimeoutMs?: number;
  /** Kong polls 10 s for an instance another coroutine is starting. */
  claimWaitMs?: number;
}

export interface DriverStats {
  startInstance: number;
  closeInstance: number;
  events: number;
  noInstanceRetries: number;
  failOpen: number;
}

export class PluginDriver implements PluginCatalog {
  readonly workers: SimulatedWorker[];
  private readonly endpoints = new Map<string, PluginEndpoint>();
  private nextWorker = 0;
  readonly stats: DriverStats = { startInstance: 0, closeInstance: 0, events: 0, noInstanceRetries: 0, failOpen: 0 };
  private readonly log: GatewayLog;
  private readonly pdkEnv: PdkEnv;
  private readonly rpcTimeoutMs: number;
  private readonly claimWaitMs: number;

  constructor(opts: DriverOptions) {
    this.log = opts.log;
    this.pdkEnv = opts.pdkEnv;
    this.rpcTimeoutMs = opts.rpcTimeoutMs ?? 60_000;
    this.claimWaitMs = opts.claimWaitMs ?? 10_000;
    for (const p of opts.plugins) this.endpoints.set(p.info.Name, p);
    this.workers = Array.from({ length: Math.max(1, opts.workers ?? 1) }, (_, i) => new SimulatedWorker(i));
  }

  // PluginCatalog
  get(name: string): PluginInfo | undefined {
    return this.endpoints.get(name)?.info;
  }

  list(): PluginInfo[] {
    return [...this.endpoints.values()].map((e) => e.info);
  }

  /** Requests are spread over the simulated workers like nginx's accept distribution (round-robin here). */
  pickWorker(): SimulatedWorker {
    const w = this.workers[this.nextWorker % this.workers.length];
    this.nextWorker++;
    return w;
  }

  private rpcFor(worker: SimulatedWorker, name: string): RpcClient {
    let rpc = worker.rpc.get(name);
    if (!rpc) {
      const ep = this.endpoints.get(name);
      if (!ep) throw new PhaseFailure(`${name} plugin is enabled but not installed`);
      rpc = new RpcClient(ep.socket, (label, args) => this.onNotification(name, label, args), this.rpcTimeoutMs);
      worker.rpc.set(name, rpc);
    }
    return rpc;
  }

  private onNotification(plugin: string, label: unknown, args: unknown): void {
    // Kong handles `serverPid`: a changed pid drops the instances of that RPC object. JS never sends it.
    if (label === 'serverPid') {
      this.log.notice(`[pluginserver] ${plugin} reported pid ${String(args)}`);
      this.resetInstancesForPlugin(plugin);
    }
  }

  /** `reset_instance` + the `plugin_server/reset_instances` worker event: every worker forgets them. */
  resetInstancesForPlugin(name: string): void {
    for (const w of this.workers) {
      for (const [key, info] of w.instances) if (info.pluginName === name) w.instances.delete(key);
    }
  }

  /** `get_instance_id` (Kong 3.3+: keyed by plugin id; a changed __seq__ starts a new instance). */
  async getInstanceId(worker: SimulatedWorker, name: string, conf: KongConf, ctx?: RequestContext): Promise<number> {
    const key = conf.__plugin_id;
    let info = worker.instances.get(key);
    const deadline = Date.now() + this.claimWaitMs;
    while (info && info.id === undefined && info.starting) {
      if (Date.now() > deadline) {
        worker.instances.delete(key);
        throw new PhaseFailure(`Could not claim instance_id for ${name} (key: ${key})`);
      }
      await Promise.race([info.starting, new Promise((r) => setTimeout(r, 100))]);
      info = worker.instances.get(key);
    }
    if (info && info.id !== undefined && info.seq === conf.__seq__ && info.pluginId === key) return info.id;

    const oldId = info?.id;
    const claim: InstanceInfo = { seq: conf.__seq__, pluginId: key, pluginName: name };
    let release!: () => void;
    claim.starting = new Promise<void>((r) => (release = r));
    worker.instances.set(key, claim);
    const rpc = this.rpcFor(worker, name);
    try {
      this.stats.startInstance++;
      if (ctx) bump(ctx.rpcCalls, name);
      const status = (await rpc.call('plugin.StartInstance', { Name: name, Config: JSON.stringify(conf) })) as { Id?: unknown };
      if (typeof status?.Id !== 'number') throw new RpcError('StartInstance returned no Id');
      claim.id = status.Id;
    } catch (err) {
      if (worker.instances.get(key) === claim) worker.instances.delete(key);
      this.log.error(`starting instance: ${(err as Error).message}`);
      throw new PhaseFailure(`starting instance: ${(err as Error).message}`);
    } finally {
      claim.starting = undefined;
      release();
    }
    if (oldId !== undefined) {
      this.stats.closeInstance++;
      // Errors ignored: another worker may have closed it first, or the server restarted.
      await rpc.call('plugin.CloseInstance', oldId).catch(() => undefined);
    }
    return claim.id;
  }

  /**
   * `Rpc:handle_event`: runs one plugin handler for `phase`. Returns 'exit' when the plugin called
   * kong.response.exit/error (ctx.exit holds the response). Throws PhaseFailure for Kong's 500 cases.
   */
  async handleEvent(worker: SimulatedWorker, name: string, conf: KongConf, phase: Phase, ctx: RequestContext): Promise<EventOutcome> {
    for (let attempt = 0; ; attempt++) {
      const instanceId = await this.getInstanceId(worker, name, conf, ctx);
      try {
        return await this.bridgeLoop(worker, name, instanceId, phase, ctx);
      } catch (err) {
        if (err instanceof RpcError) {
          if (/no plugin instance/i.test(err.message)) {
            this.log.warn(err.message);
            this.stats.noInstanceRetries++;
            this.resetInstancesForPlugin(name);
            // Kong retries without limit; a server that keeps losing instances would loop forever.
            if (attempt < 50) continue;
          }
          this.stats.failOpen++;
          this.log.error(`[${name}] ${err.message}`);
          return 'ok';
        }
        if (err instanceof LuaError) {
          this.log.error(`[${name}] ${phase}: ${err.message}`);
          throw new PhaseFailure(err.message);
        }
        throw err;
      }
    }
  }

  private async bridgeLoop(worker: SimulatedWorker, name: string, instanceId: number, phase: Phase, ctx: RequestContext): Promise<EventOutcome> {
    const rpc = this.rpcFor(worker, name);
    this.stats.events++;
    bump(ctx.rpcCalls, name);
    let step = (await rpc.call('plugin.HandleEvent', { InstanceId: instanceId, EventName: phase })) as StepReply;
    const eventId = step?.EventId;
    while (step && step.Data !== 'ret') {
      const data = step.Data as { Method?: unknown; Args?: unknown } | undefined;
      const method = typeof data?.Method === 'string' ? data.Method : '';
      const args = wireArgs(data?.Args);
      bump(ctx.pdkCalls, name);

      if (method === 'kong.response.exit' || method === 'kong.response.error') {
        // Never answered (Kong yields the plugin coroutine / ngx.exit). The server's event stays open.
        ctx.exit = method === 'kong.response.exit' ? buildExit(ctx, args, name) : buildError(ctx, args, name);
        return 'exit';
      }

      const pdk = lookupPdk(method);
      let value: unknown;
      if (!pdk.known) {
        this.log.error(`could not find pdk method: ${method}`);
        value = undefined;
      } else {
        const ret = pdk.run(ctx, args, this.pdkEnv); // LuaError propagates: event abandoned
        if (MULTIMAP_METHODS.has(method)) value = ret === undefined ? undefined : fixMultiMap(ret as Record<string, string | string[] | true>);
        else if (RAW_METHODS.has(method)) value = fixRaw(ret as Buffer | string | undefined);
        else value = toLuaValue(ret);
      }
      bump(ctx.rpcCalls, name);
      step = (await rpc.call(stepMethodFor(method), { EventId: eventId, Data: value })) as StepReply;
    }
    return 'ok';
  }

  /**
   * Our pluginserver's `plugin.ValidateConfig` extension (see gateway/pluginserver/validate-config.ts): the
   * plugin's own checks beyond the schema DSL. Servers without it (or any RPC failure) validate nothing extra.
   */
  async validateConfig(name: string, config: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    if (!this.get(name)) return null;
    try {
      const reply = (await this.rpcFor(this.pickWorker(), name).call('plugin.ValidateConfig', { Name: name, Config: JSON.stringify(config) })) as { Errors?: unknown };
      const errors = reply?.Errors;
      return errors !== null && typeof errors === 'object' && !Array.isArray(errors) ? (errors as Record<string, unknown>) : null;
    } catch (err) {
      this.log.warn(`[admin] ${name}: extra config validation unavailable: ${(err as Error).message}`);
      return null;
    }
  }

  close(): void {
    for (const w of this.workers) {
      for (const rpc of w.rpc.values()) rpc.close();
      w.rpc.clear();
      w.instances.clear();
    }
  }
}

interface StepReply {
  Data: unknown;
  EventId: number;
}

/**
 * Kong unpacks an Args array into positional arguments; a nil inside it collapses the rest
 * (protocol §2.5: `[403, nil, {...}]` arrives as just `403`). A non-array is one argument.
 */
export function wireArgs(args: unknown): unknown[] {
  if (!Array.isArray(args)) return args === undefined || args === null ? [] : [args];
  const out: unknown[] = [];
  for (const a of args) {
    if (a === null || a === undefined) break;
    out.push(a);
  }
  return out;
}
