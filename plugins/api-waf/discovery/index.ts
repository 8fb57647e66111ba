/**
 * API discovery, one call for the access phase:
 *
 *   const discovery = discoveryFor(config.discovery, { collectorUrl, token, nodeId }, { routeId, serviceId });
 *   discovery?.observe(request, verdict);   // after inspect(); synchronous, never throws
 *
 * One Inventory and one sender per (collector, token) per process, shared by every route's instance (the
 * first instance's limits win, as with the event reporter); each request is filed under its route/service.
 */
import os from 'node:os';
import type { HttpRequest } from '../../../lib/types';
import { Inventory } from './inventory';
import { parseDiscovery, type DiscoverySettings } from './schema';
import { InventorySender } from './sender';

export { Inventory, DEFAULT_LIMITS } from './inventory';
export type { InventoryLimits, Observation } from './inventory';
export { InventorySender, chunkBatch, inventoryUrl } from './sender';
export { DISCOVERY_FIELD, DISCOVERY_FIELDS, parseDiscovery } from './schema';
export type { DiscoverySettings } from './schema';
export type { InventoryBatch, WireEndpoint, WireParam } from './wire';

export interface DiscoveryTarget {
  collectorUrl: string | null;
  token: string | null;
  nodeId?: string | null;
}

export interface DiscoveryScope {
  routeId: string | null;
  serviceId: string | null;
}

interface Shared {
  inventory: Inventory;
  sender: InventorySender;
}

const shared = new Map<string, Shared>();

function sharedFor(settings: DiscoverySettings, target: DiscoveryTarget & { collectorUrl: string }): Shared {
  const id = JSON.stringify([target.collectorUrl.replace(/\/+$/, ''), target.token ?? null]);
  let s = shared.get(id);
  if (!s) {
    const inventory = new Inventory({ maxEndpoints: settings.maxEndpoints, maxParamsPerEndpoint: settings.maxParamsPerEndpoint, maxBodyBytes: settings.maxBodyBytes });
    const sender = new InventorySender(inventory, { endpoint: target.collectorUrl, token: target.token, nodeId: target.nodeId ?? os.hostname(), intervalMs: settings.flushIntervalMs });
    sender.start();
    s = { inventory, sender };
    shared.set(id, s);
  }
  return s;
}

export class Discovery {
  constructor(
    readonly settings: DiscoverySettings,
    readonly inventory: Inventory,
    private readonly scope: DiscoveryScope,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Files one request. Requests the inspector called attacks are left out unless include_attacks is set
   * (a scanner's probes are not the API); `sample_rate` < 1 observes that share of requests.
   */
  observe(request: HttpRequest, verdict?: { attack: boolean } | null, status?: number | null): void {
    if (verdict?.attack && !this.settings.includeAttacks) return;
    if (this.settings.sampleRate < 1 && this.random() >= this.settings.sampleRate) return;
    this.inventory.observe({ request, routeId: this.scope.routeId, serviceId: this.scope.serviceId, status });
  }
}

/** The route instance's discovery, or null when disabled or there is no collector to send to. */
export function discoveryFor(rawDiscovery: unknown, target: DiscoveryTarget, scope: DiscoveryScope): Discovery | null {
  const settings = parseDiscovery(rawDiscovery);
  if (!settings.enabled || !target.collectorUrl) return null;
  const s = sharedFor(settings, { ...target, collectorUrl: target.collectorUrl });
  return new Discovery(settings, s.inventory, scope);
}

/** Flushes and stops every shared sender (tests, clean shutdown). */
export async function stopAllDiscovery(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((s) => s.sender.stop()));
}

/** For diagnostics: per collector, endpoints known and the sender's counters. */
export function discoveryDiagnostics(): Array<{ url: string; endpoints: number; observed: number; capped: Record<string, number>; counters: InventorySender['counters']; pending: number }> {
  return [...shared.values()].map((s) => ({
    url: s.sender.url, endpoints: s.inventory.endpointCount, observed: s.inventory.requestsObserved, capped: s.inventory.cappedCounts(),
    counters: { ...s.sender.counters }, pending: s.sender.pendingBatches,
  }));
}
