/**
 * Which plugin entities apply to a request, in which order, with which config
 * (Kong 3.x `kong/runloop/plugins_iterator.lua`):
 * - one config per (plugin name, route, service, consumer) "combo"; the most specific wins, in the
 *   order route+service+consumer, route+consumer, service+consumer, route+service, consumer, route,
 *   service, global (`lookup_cfg`);
 * - plugins run by priority, highest first; equal priorities by reverse name (`sort_by_handler_priority`);
 * - the consumer used for the lookup is the one authenticated SO FAR in the access loop, so a
 *   consumer-scoped plugin applies only when it runs after the auth plugin;
 * - rewrite (and the log of requests with no route) runs only GLOBAL plugins;
 * - disabled plugins are skipped; the Kong conf gets route_id/service_id/consumer_id,
 *   plugin_instance_name, __plugin_id, __ws_id, __key__, __seq__ (`get_plugin_config`).
 */
import type { ConfigSnapshot, Plugin, PluginCatalog, PluginInfo } from '../config/types';
import { resolveConfigReferences } from './vault';

export type KongConf = Record<string, unknown> & { __seq__: number; __plugin_id: string; __key__: string };

export interface PluginConf {
  plugin: Plugin;
  info: PluginInfo;
  conf: KongConf;
}

/**
 * `__seq__` source. Kong gives every NEW config table a new sequence number (3.6+: a shared-dict
 * counter unique across workers); a plugin whose effective config did not change keeps its number.
 */
export class SeqRegistry {
  private counter = 0;
  private readonly byPlugin = new Map<string, { fingerprint: string; seq: number }>();

  seqFor(pluginId: string, fingerprint: string): number {
    const prev = this.byPlugin.get(pluginId);
    if (prev && prev.fingerprint === fingerprint) return prev.seq;
    const seq = ++this.counter;
    this.byPlugin.set(pluginId, { fingerprint, seq });
    return seq;
  }
}

function compoundKey(route?: string | null, service?: string | null, consumer?: string | null): string {
  return `${route ?? ''}:${service ?? ''}:${consumer ?? ''}`;
}

export function sortByPriority(a: PluginInfo, b: PluginInfo): number {
  if (a.Priority !== b.Priority) return b.Priority - a.Priority;
  return a.Name < b.Name ? 1 : a.Name > b.Name ? -1 : 0;
}

export interface IteratorOptions {
  warn?: (msg: string) => void;
  env?: NodeJS.ProcessEnv;
}

export class PluginsIterator {
  /** Plugin names with at least one enabled entity, in run order. */
  readonly ordered: PluginInfo[] = [];
  private readonly combos = new Map<string, Map<string, PluginConf>>();
  /** Global configs by plugin name. */
  private readonly globals = new Map<string, PluginConf>();
  readonly skipped: string[] = [];

  constructor(readonly snapshot: ConfigSnapshot, catalog: PluginCatalog, seqs: SeqRegistry, opts: IteratorOptions = {}) {
    const warn = opts.warn ?? (() => undefined);
    const names = new Set<string>();
    for (const plugin of snapshot.plugins) {
      if (!plugin.enabled) continue;
      if (!plugin.protocols.some((p) => p === 'http' || p === 'https' || p === 'grpc' || p === 'grpcs')) continue;
      const info = catalog.get(plugin.name);
      if (!info) {
        // Bundled Lua plugins (key-auth, cors, ...) do not exist in this emulation.
        this.skipped.push(plugin.name);
        continue;
      }
      const conf = buildKongConf(plugin, info, snapshot.workspaceId, seqs, warn, opts.env);
      const entry: PluginConf = { plugin, info, conf };
      const key = compoundKey(plugin.route?.id, plugin.service?.id, plugin.consumer?.id);
      let combos = this.combos.get(plugin.name);
      if (!combos) this.combos.set(plugin.name, (combos = new Map()));
      combos.set(key, entry);
      if (!plugin.route && !plugin.service && !plugin.consumer) this.globals.set(plugin.name, entry);
      if (!names.has(plugin.name)) {
        names.add(plugin.name);
        this.ordered.push(info);
      }
    }
    this.ordered.sort(sortByPriority);
  }

  /** `lookup_cfg`: the most specific config of `name` for this route/service/consumer. */
  lookup(name: string, routeId: string | null, serviceId: string | null, consumerId: string | null): PluginConf | undefined {
    const combos = this.combos.get(name);
    if (!combos) return undefined;
    const tries: Array<[string | null, string | null, string | null, boolean]> = [
      [routeId, serviceId, consumerId, !!(routeId && serviceId && consumerId)],
      [routeId, null, consumerId, !!(routeId && consumerId)],
      [null, serviceId, consumerId, !!(serviceId && consumerId)],
      [routeId, serviceId, null, !!(routeId && serviceId)],
      [null, null, consumerId, !!consumerId],
      [routeId, null, null, !!routeId],
      [null, serviceId, null, !!serviceId],
    ];
    for (const [r, s, c, applicable] of tries) {
      if (!applicable) continue;
      const hit = combos.get(compoundKey(r, s, c));
      if (hit) return hit;
    }
    return combos.get(compoundKey());
  }

  /** Global plugins having `phase`, in run order (rewrite; log of requests that matched no route). */
  globalsFor(phase: string): PluginConf[] {
    const out: PluginConf[] = [];
    for (const info of this.ordered) {
      const g = this.globals.get(info.Name);
      if (g && info.Phases.includes(phase)) out.push(g);
    }
    return out;
  }
}

export function buildKongConf(
  plugin: Plugin,
  info: PluginInfo,
  wsId: string,
  seqs: SeqRegistry,
  warn: (msg: string) => void,
  env?: NodeJS.ProcessEnv,
): KongConf {
  const configFields = (info.Schema.fields.find((f) => 'config' in f)?.config?.fields ?? []);
  const resolved = resolveConfigReferences(plugin.config ?? {}, configFields, (m) => warn(`[${plugin.name}] ${m}`), env);
  const routeId = plugin.route?.id ?? undefined;
  const serviceId = plugin.service?.id ?? undefined;
  const consumerId = plugin.consumer?.id ?? undefined;
  const conf: Record<string, unknown> = { ...resolved };
  if (routeId) conf.route_id = routeId;
  if (serviceId) conf.service_id = serviceId;
  if (consumerId) conf.consumer_id = consumerId;
  if (plugin.instance_name) conf.plugin_instance_name = plugin.instance_name;
  conf.__plugin_id = plugin.id;
  conf.__ws_id = wsId;
  conf.__key__ = `plugins:${plugin.name}:${routeId ?? ''}:${serviceId ?? ''}:${consumerId ?? ''}::${wsId}`;
  // The fingerprint is the entity's own config, not the resolved secrets, as Kong's config table.
  const fingerprint = JSON.stringify([plugin.config, routeId, serviceId, consumerId, plugin.instance_name, plugin.updated_at]);
  conf.__seq__ = seqs.seqFor(plugin.id, fingerprint);
  return conf as KongConf;
}
