import type { Type } from 'protobufjs';
import type { ParseContext } from './context';
import { decompress } from './compression';
import { walkJson } from './json';
import { addProtobufPoints } from './protobuf';
import type { GrpcSchema } from './proto-schema';
import { bytesToText } from './bytes';

export interface GrpcBodyInfo {
  /** `application/grpc-web-text`: the body is base64 of the framed stream. */
  text: boolean;
  /** The messages are JSON (`application/grpc+json`), not protobuf. */
  json: boolean;
  /** The `grpc-encoding` header: how frames with the compressed flag are compressed. */
  encoding: string;
}

/** `/pkg.Service/Method` → ['pkg.Service', 'Method']. */
export function grpcMethodOf(path: string): [string, string] | null {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== '' || parts[1] === '' || parts[2] === '') return null;
  return [parts[1], parts[2]];
}

/** grpc-web-text bodies may be several base64 chunks, each with its own padding. */
function decodeGrpcWebText(text: string): Uint8Array {
  const chunks: Buffer[] = [];
  const clean = text.replace(/\s+/g, '');
  let start = 0;
  for (let i = 0; i < clean.length; i++) {
    if (clean.charCodeAt(i) === 61 /* = */ && clean.charCodeAt(i + 1) !== 61) {
      chunks.push(Buffer.from(clean.slice(start, i + 1), 'base64'));
      start = i + 1;
    }
  }
  if (start < clean.length) chunks.push(Buffer.from(clean.slice(start), 'base64'));
  return Buffer.concat(chunks);
}

/**
 * gRPC and gRPC-web bodies: length-prefixed frames `[flags:1][length:4 BE][message]`; flag bit 0 means
 * the message is compressed with `grpc-encoding`, bit 7 (gRPC-web) marks a trailers frame (skipped).
 * Each message is decoded with the method's request type when the schema knows `/pkg.Service/Method`,
 * schema-less otherwise. Points: `grpc.field.<name|number>...`; a second message gets `grpc.1.field...`.
 */
export function parseGrpc(ctx: ParseContext, body: Uint8Array, info: GrpcBodyInfo, requestPath: string, schema: GrpcSchema | null): void {
  let bytes = body;
  if (info.text) bytes = decodeGrpcWebText(bytesToText(body));
  const method = grpcMethodOf(requestPath);
  let type: Type | null = null;
  if (schema && method) type = schema.requestType(method[0], method[1]);
  let pos = 0;
  let index = 0;
  while (pos < bytes.length && !ctx.stopped) {
    if (pos + 5 > bytes.length) {
      ctx.parseError('grpc', 'truncated gRPC frame header');
      return;
    }
    const flags = bytes[pos];
    const len = ((bytes[pos + 1] << 24) >>> 0) + (bytes[pos + 2] << 16) + (bytes[pos + 3] << 8) + bytes[pos + 4];
    const start = pos + 5;
    const end = Math.min(bytes.length, start + len);
    if (start + len > bytes.length) ctx.parseError('grpc', `gRPC frame declares ${len} bytes, ${bytes.length - start} present`);
    pos = start + len;
    if ((flags & 0x80) !== 0) continue;
    let message = bytes.subarray(start, end);
    if ((flags & 0x01) !== 0) {
      try {
        const d = decompress(message, info.encoding || 'identity', ctx.limits.maxBodyBytes);
        if (d.truncated) ctx.event('body_truncated', `decompressed gRPC message exceeds ${ctx.limits.maxBodyBytes} bytes`, 'grpc');
        message = d.bytes;
      } catch (err) {
        ctx.parseError('grpc', `compressed gRPC message: ${(err as Error).message}`);
        index += 1;
        continue;
      }
    }
    const prefix = index === 0 ? 'grpc.field' : `grpc.${index}.field`;
    if (info.json) {
      try {
        walkJson(ctx, JSON.parse(bytesToText(message)) as unknown, prefix, 'grpc');
      } catch {
        ctx.parseError(prefix, 'gRPC JSON message is not valid JSON');
      }
    } else if (!addProtobufPoints(ctx, message, prefix, type)) {
      ctx.parseError(prefix, type ? `message does not decode as ${type.name}` : 'message is not well-formed protobuf');
      addProtobufFallback(ctx, message, prefix);
    }
    index += 1;
  }
}

/** Printable runs of a message that is not protobuf, so its text is still inspected. */
function addProtobufFallback(ctx: ParseContext, message: Uint8Array, prefix: string): void {
  const s = bytesToText(message);
  const runs = s.split(/[\x00-\x08\x0b\x0c\x0e-\x1f]+/);
  for (const r of runs) if (r.length >= 4 && !ctx.stopped) ctx.add(`${prefix}.raw`, r, 'grpc');
}
