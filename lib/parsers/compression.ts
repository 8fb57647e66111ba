import * as zlib from 'node:zlib';

export interface Decompressed {
  bytes: Uint8Array;
  /** Output reached the cap; `bytes` is a prefix of the real content. */
  truncated: boolean;
}

type SyncInflate = (buf: Uint8Array, opts: zlib.ZlibOptions | zlib.BrotliOptions) => Buffer;

function inflaterFor(encoding: string): SyncInflate[] | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return [zlib.gunzipSync];
    case 'deflate':
      // RFC 9110 deflate is zlib-wrapped, but raw deflate is common in the wild.
      return [zlib.inflateSync, zlib.inflateRawSync];
    case 'br':
      return [zlib.brotliDecompressSync as SyncInflate];
    default:
      return null;
  }
}

function run(fn: SyncInflate, buf: Uint8Array, cap: number, partial: boolean): Buffer {
  const flush = fn === (zlib.brotliDecompressSync as SyncInflate)
    ? { maxOutputLength: cap, finishFlush: partial ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_FINISH }
    : { maxOutputLength: cap, finishFlush: partial ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH };
  return fn(buf, flush);
}

/**
 * Decompresses a Content-Encoding / grpc-encoding body with a hard output cap (zip bombs). When the
 * output would exceed `cap`, growing prefixes of the input are decompressed (with sync flush, which
 * tolerates a cut stream) and the largest output under the cap is returned as a truncated prefix, so
 * the start of an oversize body is still inspected. Throws on unknown encodings and corrupt data.
 */
export function decompress(body: Uint8Array, encoding: string, cap: number): Decompressed {
  const fns = inflaterFor(encoding.trim().toLowerCase());
  if (fns === null) throw new Error(`unsupported content encoding "${encoding}"`);
  let lastError: unknown = null;
  for (const fn of fns) {
    try {
      return { bytes: run(fn, body, cap, false), truncated: false };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
        lastError = err;
        continue;
      }
      let best: Buffer = Buffer.alloc(0);
      for (let len = 64; len < body.length * 2; len *= 2) {
        try {
          best = run(fn, body.subarray(0, Math.min(len, body.length)), cap, true);
        } catch {
          break;
        }
      }
      return { bytes: best, truncated: true };
    }
  }
  throw lastError instanceof Error ? lastError : new Error('corrupt compressed body');
}
