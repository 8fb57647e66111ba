import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { guard } from '../access';
import { normalizeCidr } from '../cidr';
import type { CollectorContext } from '../context';
import { HttpError } from '../http-error';
import type { IpListEntry } from '../store/types';
import { checkIpEntry } from '../validation';

export interface IpListEntryJson {
  id: number;
  cidr: string;
  list: IpListEntry['list'];
  reason: string | null;
  expires_at: string | null;
  created_at: string;
}

export function entryJson(entry: IpListEntry): IpListEntryJson {
  return {
    id: entry.id,
    cidr: entry.cidr,
    list: entry.list,
    reason: entry.reason,
    expires_at: entry.expires_at === null ? null : new Date(entry.expires_at).toISOString(),
    created_at: new Date(entry.created_at).toISOString(),
  };
}

/** Strong validator of the exact response bytes: same entries, same tag; any change, new tag. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored, `*` matches anything. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * IP lists shared by the fleet. Nodes poll GET every minute with If-None-Match; operators change entries with
 * POST/DELETE. Expired entries drop out of GET at their expiry time (and are pruned later).
 */
export function registerIpListRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/api/v1/iplists', { onRequest: guard((request) => ctx.access.nodeOrOperator(request)) }, async (request, reply) => {
    const entries = (await ctx.store.listIpEntries(ctx.now())).map(entryJson);
    const body = JSON.stringify({ entries });
    const etag = etagOf(body);
    reply.header('ETag', etag).header('Cache-Control', 'no-cache');
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });

  const operator = { onRequest: guard((request) => ctx.access.operator(request)) };

  app.post('/api/v1/iplists', operator, async (request, reply) => {
    const checked = checkIpEntry(request.body ?? null);
    if (!checked.ok) throw new HttpError(400, 'invalid_entry', 'IP list entry is invalid', checked.issues);
    const input = checked.value;
    const cidr = normalizeCidr(input.cidr);
    if (cidr === null) {
      throw new HttpError(400, 'invalid_entry', 'cidr must be an IPv4/IPv6 address or CIDR', [{ path: '/cidr', message: 'is not an IP or CIDR' }]);
    }
    const now = ctx.now();
    let expiresAt: number | null = null;
    if (input.ttl_seconds !== undefined) expiresAt = now + input.ttl_seconds * 1000;
    else if (input.expires_at) expiresAt = Date.parse(input.expires_at);
    if (expiresAt !== null && expiresAt <= now) {
      throw new HttpError(400, 'invalid_entry', 'expires_at is in the past', [{ path: '/expires_at', message: 'must be in the future' }]);
    }
    const { entry, created } = await ctx.store.upsertIpEntry(
      { cidr, list: input.list, reason: input.reason ?? null, expires_at: expiresAt },
      now,
    );
    request.log.info({ cidr, list: input.list, created, by: describeCaller(request) }, 'ip list entry saved');
    return reply.code(created ? 201 : 200).send(entryJson(entry));
  });

  app.delete('/api/v1/iplists/:id', operator, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!/^\d{1,15}$/.test(id)) throw new HttpError(400, 'invalid_id', 'entry id must be a positive integer');
    if (!(await ctx.store.deleteIpEntry(Number(id)))) throw new HttpError(404, 'not_found', 'no such IP list entry');
    request.log.info({ id: Number(id), by: describeCaller(request) }, 'ip list entry deleted');
    return reply.code(204).send();
  });
}

function describeCaller(request: FastifyRequest): string {
  return request.socket.remoteAddress ?? 'unknown';
}
