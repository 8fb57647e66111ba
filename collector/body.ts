import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error';

const gunzip = promisify(gunzipCallback);

/**
 * Replaces Fastify's JSON parser: bodies may be gzip-compressed (Content-Encoding: gzip), and both the bytes on
 * the wire and the decompressed bytes are limited to `limit` (so a gzip bomb ends as 413, not as an OOM).
 */
export function registerJsonBodyParser(app: FastifyInstance, limit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limit }, async (request: FastifyRequest, raw: Buffer) =>
    parseJson(await decode(request, raw, limit)),
  );
}

async function decode(request: FastifyRequest, raw: Buffer, limit: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new HttpError(415, 'unsupported_encoding', `Content-Encoding "${encoding.slice(0, 32)}" is not supported (use gzip or none)`);
  }
  try {
    return await gunzip(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, 'payload_too_large', `decompressed body exceeds ${limit} bytes`);
    }
    throw new HttpError(400, 'invalid_gzip', `body is not valid gzip: ${(error as Error).message}`);
  }
}

/** An empty body parses to undefined: a bodiless DELETE with a JSON Content-Type is fine; routes needing one say so. */
function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  // fatal: invalid UTF-8 is a client error, not something to store with replacement characters.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}
