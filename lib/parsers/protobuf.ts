import { isUtf8 } from 'node:buffer';
import type { Type } from 'protobufjs';
import type { ParseContext } from './context';

/** One field of a protobuf message on the wire. */
interface WireField {
  num: number;
  wire: number;
  /** Length-delimited payload bounds (wire type 2). */
  start: number;
  end: number;
}

/** Fields per message read before giving up on a structure (packed garbage can look like thousands of fields). */
const MAX_FIELDS = 4096;

function readVarint(b: Uint8Array, pos: number): [number, number] | null {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= b.length) return null;
    const byte = b[pos + i];
    if (i < 7) result += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return [result, pos + i + 1];
  }
  return null;
}

/** Reads the message's fields; null when the bytes are not a well-formed message (groups are treated as malformed). */
export function scanWire(b: Uint8Array): WireField[] | null {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (out.length >= MAX_FIELDS) return null;
    const tag = readVarint(b, pos);
    if (tag === null) return null;
    const num = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    pos = tag[1];
    if (num === 0 || num > 536870911) return null;
    if (wire === 0) {
      const v = readVarint(b, pos);
      if (v === null) return null;
      out.push({ num, wire, start: pos, end: v[1] });
      pos = v[1];
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > b.length) return null;
      out.push({ num, wire, start: pos, end: pos + size });
      pos += size;
    } else if (wire === 2) {
      const len = readVarint(b, pos);
      if (len === null || len[1] + len[0] > b.length) return null;
      out.push({ num, wire, start: len[1], end: len[1] + len[0] });
      pos = len[1] + len[0];
    } else {
      return null;
    }
  }
  return out;
}

/** Valid UTF-8 without C0 controls other than tab/newline/CR: what a proto string field holds. */
function isStrictText(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return false;
  }
  return isUtf8(b);
}

function mostlyText(b: Uint8Array): boolean {
  let ok = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if ((c >= 32 && c !== 127) || c === 9 || c === 10 || c === 13) ok += 1;
  }
  return b.length > 0 && ok / b.length >= 0.9;
}

function text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/**
 * Adds the text fields of a protobuf message as points. With the message's protobufjs Type (from a
 * loaded .proto), fields are named (`grpc.field.user.name`), nested messages follow their declared type
 * and `string` fields are taken as text. Without one (or for unknown field numbers) it decodes the wire
 * format alone: numbers are skipped, a length-delimited field is a string when it is clean text,
 * otherwise a nested message when its bytes parse as one, otherwise mostly-text bytes are inspected and
 * binary is skipped (`grpc.field.3.2`). Returns false when `bytes` are not a well-formed message.
 */
export function addProtobufPoints(ctx: ParseContext, bytes: Uint8Array, prefix: string, type: Type | null, depth = 0, source: 'grpc' | 'body' = 'grpc'): boolean {
  const fields = scanWire(bytes);
  if (fields === null) return false;
  for (const f of fields) {
    if (ctx.stopped) return true;
    if (f.wire !== 2 || f.end === f.start) continue;
    const sub = bytes.subarray(f.start, f.end);
    const declared = type?.fieldsById[f.num];
    const seg = declared ? declared.name : String(f.num);
    const path = `${prefix}.${seg}`;
    const nested = declared?.resolvedType;
    if (declared && nested && 'fieldsById' in nested) {
      descend(ctx, sub, path, nested as Type, depth, seg, source);
      continue;
    }
    if (declared && declared.type === 'string') {
      ctx.add(path, text(sub), source, { name: seg });
      continue;
    }
    // Text that starts with a byte below 0x20 is more likely a nested message's tag (fields 1-3) than prose.
    if (sub[0] >= 32 && isStrictText(sub)) {
      ctx.add(path, text(sub), source, { name: seg });
      continue;
    }
    if (depth < ctx.limits.maxDepth && scanWire(sub) !== null) {
      addProtobufPoints(ctx, sub, path, null, depth + 1, source);
      continue;
    }
    if (depth >= ctx.limits.maxDepth) ctx.event('depth_capped', `protobuf nested deeper than ${ctx.limits.maxDepth}`, path);
    if (isStrictText(sub) || mostlyText(sub)) ctx.add(path, text(sub), source, { name: seg });
  }
  return true;
}

function descend(ctx: ParseContext, sub: Uint8Array, path: string, type: Type, depth: number, seg: string, source: 'grpc' | 'body'): void {
  if (depth >= ctx.limits.maxDepth) {
    ctx.event('depth_capped', `protobuf nested deeper than ${ctx.limits.maxDepth}`, path);
    return;
  }
  if (!addProtobufPoints(ctx, sub, path, type, depth + 1, source)) {
    ctx.parseError(path, 'field does not decode as its declared message type');
    if (mostlyText(sub)) ctx.add(path, text(sub), source, { name: seg });
  }
}
