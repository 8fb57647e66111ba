import type { FastifyInstance } from 'fastify';
import { guard } from '../access';
import type { CollectorContext } from '../context';
import { chooseBucket, parseLimit, parseTimeRange, type Query } from '../query-params';

const iso = (ms: number) => new Date(ms).toISOString();

/** Aggregates behind the dashboard's cards, chart and top lists. All take `range` or `from`/`to`. */
export function registerStatsRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const operator = { onRequest: guard((request) => ctx.access.operator(request)) };

  app.get('/api/v1/stats/summary', operator, async (request) => {
    const range = parseTimeRange(request.query as Query, ctx.now());
    return { from: iso(range.from), to: iso(range.to), ...(await ctx.store.summary(range)) };
  });

  // Dense series: one point per bucket (zeros included) so clients can stack without gap handling.
  app.get('/api/v1/stats/timeseries', operator, async (request) => {
    const query = request.query as Query;
    const requested = parseTimeRange(query, ctx.now());
    const bucket = chooseBucket(requested, query);
    const range = { from: Math.floor(requested.from / bucket) * bucket, to: requested.to };
    const rows = await ctx.store.timeseries(range, bucket);
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.type, (totals.get(row.type) ?? 0) + row.count);
    const types = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type]) => type);
    const slots = Math.ceil((range.to - range.from) / bucket);
    const points = Array.from({ length: slots }, (_, i) => ({ t: iso(range.from + i * bucket), counts: {} as Record<string, number> }));
    for (const row of rows) {
      const slot = Math.round((row.t - range.from) / bucket);
      if (points[slot]) points[slot].counts[row.type] = row.count;
    }
    return { from: iso(range.from), to: iso(range.to), bucket_seconds: bucket / 1000, types, totals: Object.fromEntries(totals), points };
  });

  app.get('/api/v1/stats/top-routes', operator, async (request) => {
    const query = request.query as Query;
    const range = parseTimeRange(query, ctx.now());
    return { routes: await ctx.store.topRoutes(range, parseLimit(query, 10, 100)) };
  });

  app.get('/api/v1/stats/top-ips', operator, async (request) => {
    const query = request.query as Query;
    const range = parseTimeRange(query, ctx.now());
    const ips = await ctx.store.topIps(range, parseLimit(query, 10, 100));
    return { ips: ips.map((ip) => ({ ...ip, last_seen: iso(ip.last_seen) })) };
  });

  app.get('/api/v1/nodes', operator, async () => {
    const nodes = await ctx.store.nodes();
    return { nodes: nodes.map((node) => ({ ...node, last_seen: iso(node.last_seen) })) };
  });
}
