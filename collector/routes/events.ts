import type { FastifyInstance } from 'fastify';
import { guard } from '../access';
import type { CollectorContext } from '../context';
import { HttpError } from '../http-error';
import { decodeCursor, encodeCursor, parseEventFilter, parseLimit, type Query } from '../query-params';

/** Largest total the event list counts exactly; past it the dashboard shows "10,000+". */
const TOTAL_CAP = 10_000;

/** The dashboard's event list: filters, newest first, keyset pagination with an opaque cursor. */
export function registerEventQueryRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const operator = { onRequest: guard((request) => ctx.access.operator(request)) };

  app.get('/api/v1/events', operator, async (request) => {
    const query = request.query as Query;
    const filter = parseEventFilter(query, ctx.now());
    const limit = parseLimit(query, 50, 500);
    const page = await ctx.store.queryEvents(filter, decodeCursor(query.cursor), limit, TOTAL_CAP);
    return {
      from: new Date(filter.from).toISOString(),
      to: new Date(filter.to).toISOString(),
      total: page.total,
      total_capped: page.total_capped,
      next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null,
      events: page.events,
    };
  });

  app.get('/api/v1/events/:id', operator, async (request) => {
    const { id } = request.params as { id: string };
    if (!/^[0-9a-fA-F-]{36}$/.test(id)) throw new HttpError(400, 'invalid_id', 'event id must be a UUID');
    const event = await ctx.store.getEvent(id);
    if (!event) throw new HttpError(404, 'not_found', 'no such event');
    return event;
  });
}
