import type { ParseContext } from './context';
import { bytesToText, looksTextual } from './bytes';
import { textInCharset } from './charset';
import { isPlainName } from './query';

/** A parsed `type/subtype; k=v; k2="v2"` header value. */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Parses a Content-Type-like header value; parameter names lower-cased, quoted values unquoted (only `\"` unescaped). */
export function parseMediaType(value: string): MediaType {
  const parts = splitParams(value);
  const type = (parts.shift() ?? '').trim().toLowerCase();
  const params: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    // Only `\"` is unescaped: browsers never backslash-escape form-data parameters (HTML's multipart
    // encoding percent-encodes `"` and CR/LF instead) and old IE sent full Windows paths
    // (`C:\Users\dana\report.txt`), so every other backslash is part of the file name as servers see it.
    if (v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34) v = v.slice(1, -1).replace(/\\"/g, '"');
    if (!(k in params)) params[k] = v;
  }
  return { type, params };
}

/** Splits at ';' outside double quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** RFC 5987 `filename*=UTF-8''na%C3%AFve.txt`. */
function extValue(v: string): string {
  const q = v.indexOf("''");
  const enc = q >= 0 ? v.slice(q + 2) : v;
  try {
    return decodeURIComponent(enc);
  } catch {
    return enc;
  }
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle, from);
}

/** Handles one part's body: a nested parser for JSON/urlencoded parts, text for textual content. */
/** `text` is the part read in its declared or detected charset when that is not UTF-8 (see charset.ts). */
export type PartBodyHandler = (ctx: ParseContext, prefix: string, contentType: string, body: Uint8Array, name: string, text?: string) => void;

/**
 * multipart/form-data (and other multipart/*): per part `body.multipart.<name>` for its content,
 * `.filename` for the file name, `.content-type` when the part's type is not plain syntax; the part
 * name as a key point when it is not an identifier. Binary file content is not inspected as text.
 * A missing boundary or a body without any delimiter is a parse_error and the body is inspected as text.
 */
export function parseMultipart(ctx: ParseContext, body: Uint8Array, contentType: MediaType, onPart: PartBodyHandler): void {
  const boundary = contentType.params.boundary;
  if (!boundary || boundary.length > 200) {
    ctx.parseError('body.multipart', 'multipart body without a usable boundary');
    onPart(ctx, 'body.multipart', 'text/plain', body, 'multipart');
    return;
  }
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  let pos = indexOfBytes(body, delim, 0);
  if (pos < 0) {
    ctx.parseError('body.multipart', 'boundary not found in the body');
    onPart(ctx, 'body.multipart', 'text/plain', body, 'multipart');
    return;
  }
  let index = 0;
  while (pos >= 0 && !ctx.stopped) {
    let start = pos + delim.length;
    // "--" after the delimiter closes the body.
    if (body[start] === 45 && body[start + 1] === 45) return;
    // Skip transport padding and the CRLF after the delimiter line.
    while (start < body.length && (body[start] === 32 || body[start] === 9)) start += 1;
    if (body[start] === 13) start += 1;
    if (body[start] === 10) start += 1;
    const next = indexOfBytes(body, delim, start);
    let end = next < 0 ? body.length : next;
    // The CRLF before the next delimiter belongs to the delimiter.
    if (end >= 1 && body[end - 1] === 10) end -= 1;
    if (end >= 1 && body[end - 1] === 13) end -= 1;
    parsePart(ctx, body.subarray(start, Math.max(start, end)), index, onPart);
    if (next < 0) {
      ctx.parseError('body.multipart', 'multipart body ends without a closing delimiter');
      return;
    }
    pos = next;
    index += 1;
  }
}

/** A part's Content-Type made only of media-type syntax carries no payload and is not a point. */
function isMediaTypeSyntax(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 ||
      c === 47 || c === 59 || c === 61 || c === 32 || c === 95 || c === 34;
    if (!ok) return false;
  }
  return true;
}

/**
 * A part's Content-Transfer-Encoding undone. RFC 7578 deprecates it for form-data, but mail-derived
 * parsers (and some Java and .NET stacks) still decode base64 and quoted-printable parts, so
 * `=3Cscript=3E` must be read as `<script>`. Other codings (7bit, 8bit, binary) are the bytes as they are.
 */
function transferDecode(content: Uint8Array, coding: string): Uint8Array {
  if (coding === 'base64') {
    return Buffer.from(Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1'), 'base64');
  }
  if (coding === 'quoted-printable') return decodeQuotedPrintable(content);
  return content;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** `=XX` is the byte XX; `=` at a line end is a soft break; anything else (a stray `=`) stays as it is. */
export function decodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 61 /* = */) {
      if (bytes[i + 1] === 13 && bytes[i + 2] === 10) {
        i += 2;
        continue;
      }
      if (bytes[i + 1] === 10) {
        i += 1;
        continue;
      }
      const hi = hexValue(bytes[i + 1] ?? 0);
      const lo = hexValue(bytes[i + 2] ?? 0);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

function parsePart(ctx: ParseContext, part: Uint8Array, index: number, onPart: PartBodyHandler): void {
  const buf = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  let headerEnd = buf.indexOf('\r\n\r\n');
  let bodyStart = headerEnd + 4;
  if (headerEnd < 0) {
    headerEnd = buf.indexOf('\n\n');
    bodyStart = headerEnd + 2;
  }
  if (headerEnd < 0) {
    headerEnd = buf.length;
    bodyStart = buf.length;
  }
  const headerText = bytesToText(part.subarray(0, Math.min(headerEnd, 8192)));
  let name = '';
  let filename: string | undefined;
  let partType = '';
  let transferEncoding = '';
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const hname = line.slice(0, colon).trim().toLowerCase();
    const hvalue = line.slice(colon + 1).trim();
    if (hname === 'content-disposition') {
      const d = parseMediaType(hvalue);
      name = d.params.name ?? '';
      if (d.params['filename*'] !== undefined) filename = extValue(d.params['filename*']);
      else if (d.params.filename !== undefined) filename = d.params.filename;
    } else if (hname === 'content-type') {
      partType = hvalue;
    } else if (hname === 'content-transfer-encoding') {
      transferEncoding = hvalue.toLowerCase();
    }
  }
  const label = name !== '' ? name : String(index);
  const prefix = `body.multipart.${label}`;
  if (name !== '' && !isPlainName(name)) ctx.add(prefix, name, 'body', { isKey: true, name });
  if (filename !== undefined && filename !== '') ctx.add(`${prefix}.filename`, filename, 'body', { name: 'filename' });
  if (partType !== '' && !isMediaTypeSyntax(partType)) {
    ctx.add(`${prefix}.content-type`, partType, 'body', { name: 'content-type' });
  }
  const content = transferDecode(part.subarray(Math.min(bodyStart, part.length)), transferEncoding);
  if (content.length === 0) return;
  const media = partType === '' ? null : parseMediaType(partType);
  const text = textInCharset(ctx, content, media?.params.charset, prefix);
  if (filename !== undefined && text === undefined && !looksTextual(content)) return;
  onPart(ctx, prefix, media?.type ?? 'text/plain', content, label, text);
}
