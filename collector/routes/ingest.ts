import type { FastifyInstance } from 'fastify';
import { guard } from '../access';
import type { CollectorContext } from '../context';
import { HttpError } from '../http-error';
import { scrubStrings } from '../sanitize';
import { checkEventBatch } from '../validation';

/**
 * POST /api/v1/events: one batch per request. The answer (200 with accepted/duplicate counts) is sent only after
 * the batch is committed, so a node may delete its copy on 2xx and must retry anything else with the same ids.
 */
export function registerIngestRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post('/api/v1/events', { onRequest: guard((request) => ctx.access.node(request)) }, async (request, reply) => {
    const tokenNode = ctx.access.node(request);
    if (request.body === undefined) {
      if (!request.headers['content-type']) {
        throw new HttpError(415, 'unsupported_media_type', 'send the batch as Content-Type: application/json');
      }
      throw new HttpError(400, 'invalid_json', 'body is empty');
    }
    const checked = checkEventBatch(request.body);
    if (!checked.ok) {
      request.log.warn({ node: tokenNode, issues: checked.issues.slice(0, 3) }, 'event batch rejected: invalid');
      throw new HttpError(400, 'invalid_batch', 'batch does not match contracts/event.schema.json', checked.issues);
    }
    const batch = checked.value;
    // A token names a node or a group of nodes (one token for a fleet is common: Kong nodes share a config).
    // Hosts report their own id; it is recorded under the token's name, so one token can never write as
    // another token's node.
    const node = batch.node_id === tokenNode ? tokenNode : `${tokenNode}/${batch.node_id}`.slice(0, 128);
    const result = await ctx.store.ingest(scrubStrings({ ...batch, node_id: node }), ctx.now());
    request.log.info({ node, ...result }, 'event batch stored');
    return reply.code(200).send(result);
  });
}
