import { mergeLimits } from '../limits';
import type { HttpRequest, Limits, Point } from '../types';
import { parseRequest, type ParsedRequest } from './request';
import type { GrpcSchema } from './proto-schema';

/** Helpers shared by the parser tests (not part of the library surface). */
export function req(partial: Partial<HttpRequest> & { bodyText?: string }): HttpRequest {
  const { bodyText, ...rest } = partial;
  return {
    method: 'GET',
    path: '/',
    query: '',
    headers: {},
    body: bodyText === undefined ? rest.body ?? null : Buffer.from(bodyText),
    ...rest,
    ...(bodyText === undefined ? {} : { body: Buffer.from(bodyText) }),
  };
}

export function parse(partial: Partial<HttpRequest> & { bodyText?: string }, limits: Partial<Limits> = {}, grpcSchema: GrpcSchema | null = null): ParsedRequest {
  return parseRequest(req(partial), mergeLimits({ timeBudgetMs: 10_000, ...limits }), { grpcSchema });
}

/** `path → value` of the non-key points (last one wins on duplicates). */
export function values(points: readonly Point[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of points) if (!p.isKey) out[p.path] = p.value;
  return out;
}

export function keys(points: readonly Point[]): string[] {
  return points.filter((p) => p.isKey).map((p) => `${p.path}=${p.value}`);
}
