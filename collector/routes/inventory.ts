import type { FastifyInstance } from 'fastify';
import { guard } from '../access';
import type { CollectorContext } from '../context';
import { HttpError } from '../http-error';
import { inventoryToOpenApi } from '../inventory/openapi-export';
import { parseSpecUpload, ShadowIndex } from '../inventory/shadow';
import { checkInventoryBatch } from '../inventory/validation';
import { kinds } from '../store/inventory-merge';
import type { InventoryEndpoint, InventoryFilter, ParamRecord } from '../store/inventory-types';
import { parseLimit, type Query } from '../query-params';
import { scrubStrings } from '../sanitize';

const iso = (ms: number) => new Date(ms).toISOString();

function parseSince(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid_query', 'since must be epoch milliseconds or an ISO date');
  return ms;
}

function text(query: Query, name: string, max: number): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (v.length > max) throw new HttpError(400, 'invalid_query', `${name} is longer than ${max} characters`);
  return v;
}

function filterOf(query: Query): InventoryFilter {
  return { since: parseSince(query.since), route: text(query, 'route', 64), service: text(query, 'service', 64), limit: parseLimit(query, 500, 5000) };
}

/** `route:<id>`, `service:<id>` or `*` from ?route= / ?service= (neither: the fleet-wide document). */
function scopeOf(query: Query): string {
  const route = text(query, 'route', 64);
  const service = text(query, 'service', 64);
  if (route && service) throw new HttpError(400, 'invalid_query', 'give route or service, not both');
  return route ? `route:${route}` : service ? `service:${service}` : '*';
}

function paramJson(p: ParamRecord, since: number | undefined) {
  return {
    in: p.location, name: p.name, count: p.count, first_seen: iso(p.first_seen), last_seen: iso(p.last_seen), types: p.types, formats: p.formats,
    sensitive: kinds(p.sensitive), distinct: p.distinct_values, distinct_capped: p.distinct_capped, new: since !== undefined && p.first_seen >= since,
  };
}

function endpointJson(e: InventoryEndpoint, shadows: ShadowIndex, since: number | undefined) {
  return {
    id: e.id, service_id: e.service_id || null, route_id: e.route_id || null, method: e.method, template: e.template, count: e.count,
    first_seen: iso(e.first_seen), last_seen: iso(e.last_seen), hosts: e.hosts, content_types: e.content_types, statuses: e.statuses,
    sensitive: kinds(e.sensitive), params_capped: e.params_capped, shadow: shadows.shadow(e), new: since !== undefined && e.first_seen >= since,
    params: e.params.map((p) => paramJson(p, since)),
  };
}

/**
 * API discovery's collector side. Nodes POST inventory deltas (node token, idempotent per batch_id);
 * operators read the merged inventory (optionally only what is new since a date), upload OpenAPI documents
 * that make undeclared endpoints "shadow", and export the inventory as an OpenAPI 3.1 document.
 */
export function registerInventoryRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const inventory = ctx.store.inventory;
  const operator = { onRequest: guard((request) => ctx.access.operator(request)) };

  app.post('/api/v1/inventory', { onRequest: guard((request) => ctx.access.node(request)) }, async (request, reply) => {
    const tokenNode = ctx.access.node(request);
    if (request.body === undefined) throw new HttpError(400, 'invalid_json', 'body is empty');
    const checked = checkInventoryBatch(request.body);
    if (!checked.ok) {
      request.log.warn({ node: tokenNode, issues: checked.issues.slice(0, 3) }, 'inventory batch rejected: invalid');
      throw new HttpError(400, 'invalid_batch', 'batch does not match contracts/inventory.schema.json', checked.issues);
    }
    const batch = checked.value;
    const node = batch.node_id === tokenNode ? tokenNode : `${tokenNode}/${batch.node_id}`.slice(0, 128);
    const result = await inventory.ingest(scrubStrings({ ...batch, node_id: node }), ctx.now());
    request.log.info({ node, ...result }, 'inventory batch merged');
    return reply.code(200).send(result);
  });

  app.get('/api/v1/inventory', operator, async (request) => {
    const query = request.query as Query;
    const filter = filterOf(query);
    const [endpoints, specs, nodes] = await Promise.all([inventory.list(filter), inventory.listSpecs(), inventory.nodes()]);
    const shadows = new ShadowIndex(specs);
    return {
      since: filter.since === undefined ? null : iso(filter.since),
      endpoints: endpoints.map((e) => endpointJson(e, shadows, filter.since)),
      specs: specs.map((s) => ({ scope: s.scope, operations: s.operations.length, base_paths: s.base_paths, uploaded_at: iso(s.uploaded_at) })),
      nodes: nodes.map((n) => ({ ...n, last_seen: iso(n.last_seen) })),
    };
  });

  app.get('/api/v1/inventory/shadow', operator, async (request) => {
    const filter = filterOf(request.query as Query);
    const [endpoints, specs] = await Promise.all([inventory.list(filter), inventory.listSpecs()]);
    const shadows = new ShadowIndex(specs);
    return { endpoints: endpoints.filter((e) => shadows.shadow(e) === true).map((e) => endpointJson(e, shadows, filter.since)) };
  });

  app.get('/api/v1/inventory/openapi', operator, async (request, reply) => {
    const query = request.query as Query;
    const filter = { ...filterOf(query), since: undefined, limit: 5000 };
    const endpoints = await inventory.list(filter);
    const what = filter.route ? `route ${filter.route}` : filter.service ? `service ${filter.service}` : 'all routes';
    const doc = inventoryToOpenApi(endpoints, { title: `API inventory (${what})`, now: ctx.now() });
    return reply.header('Content-Disposition', 'inline; filename="inventory-openapi.json"').send(doc);
  });

  app.put('/api/v1/inventory/spec', operator, async (request, reply) => {
    const spec = parseSpecUpload(scopeOf(request.query as Query), request.body, ctx.now());
    await inventory.putSpec(spec);
    return reply.code(200).send({ scope: spec.scope, operations: spec.operations.length, base_paths: spec.base_paths, uploaded_at: iso(spec.uploaded_at) });
  });

  app.delete('/api/v1/inventory/spec', operator, async (request, reply) => {
    if (!(await inventory.deleteSpec(scopeOf(request.query as Query)))) throw new HttpError(404, 'not_found', 'no document for this scope');
    return reply.code(204).send();
  });
}
