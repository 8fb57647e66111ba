/**
 * Body bytes as the text the application reads, when that is not UTF-8: a byte-order mark, a declared
 * `charset`, or the zero-byte pattern by which JSON (RFC 4627 §3) and XML (XML 1.0 appendix F) parsers
 * recognise UTF-16 and UTF-32 on their own. Jackson, System.Text.Json and every XML parser accept such
 * bodies, so a payload sent in UTF-16 (or, to IIS, in EBCDIC) must be read in that encoding too.
 */
import { decodedLooksTextual } from './bytes';
import type { ParseContext } from './context';
import { IBM01140, IBM037, IBM500 } from './ebcdic';

export interface DecodedBody {
  text: string;
  /** The encoding the text was read in. */
  charset: string;
  /** What chose it. */
  how: 'bom' | 'declared' | 'detected';
}

/** The declared charset named nothing this reader knows: the body is read as UTF-8 and this is reported. */
export interface UnknownCharset {
  unknown: string;
}

type Reader = (bytes: Uint8Array) => string;

const EBCDIC: ReadonlyMap<string, string> = new Map([
  ['ibm037', IBM037], ['cp037', IBM037], ['csibm037', IBM037], ['ebcdic-cp-us', IBM037], ['ebcdic-cp-ca', IBM037],
  ['ebcdic-cp-wt', IBM037], ['ebcdic-cp-nl', IBM037], ['ibm500', IBM500], ['cp500', IBM500], ['csibm500', IBM500],
  ['ebcdic-cp-be', IBM500], ['ebcdic-cp-ch', IBM500], ['ibm01140', IBM01140], ['cp1140', IBM01140], ['ccsid01140', IBM01140],
]);

/** Labels that mean the default reading (UTF-8, of which ASCII is a subset). */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'us-ascii', 'ascii', 'us', 'iso646-us', 'ansi_x3.4-1968']);

/** A single-byte code page: one Uint16Array lookup per byte, then one native UTF-16 decode. */
function table(map: string): Reader {
  const units = new Uint16Array(256);
  for (let b = 0; b < 256; b++) units[b] = map.charCodeAt(b);
  const utf16 = new TextDecoder('utf-16le');
  return (bytes) => {
    const out = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = units[bytes[i]];
    return utf16.decode(out);
  };
}

function utf32(littleEndian: boolean): Reader {
  return (bytes) => {
    const n = bytes.length - (bytes.length % 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const codes: number[] = [];
    const parts: string[] = [];
    for (let i = 0; i < n; i += 4) {
      const c = view.getUint32(i, littleEndian);
      codes.push(c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0xfffd : c);
      if (codes.length === 4096) parts.push(String.fromCodePoint(...codes.splice(0)));
    }
    if (n < bytes.length) codes.push(0xfffd);
    parts.push(String.fromCodePoint(...codes));
    return parts.join('');
  };
}

/**
 * Windows-1252's 0x80–0x9F (the rest is Latin-1). Node 20's TextDecoder reads every windows-1252 label
 * (latin1, iso-8859-1, …) as plain Latin-1, which turns the smart quotes 0x91–0x94 into C1 controls
 * instead of the quote look-alikes the SQL detector folds.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

const WINDOWS_1252 = ((): string => {
  let t = '';
  for (let b = 0; b < 256; b++) t += b >= 0x80 && b < 0xa0 ? WINDOWS_1252_C1[b - 0x80] : String.fromCharCode(b);
  return t;
})();

function whatwg(label: string): Reader | null {
  try {
    const decoder = new TextDecoder(label, { fatal: false });
    if (decoder.encoding === 'windows-1252') return table(WINDOWS_1252);
    return (bytes) => decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Readers made once per label (a table reader builds a lookup array, others hold a TextDecoder). Only
 * labels that name an encoding are kept, so the map is bounded by the labels that exist, whatever
 * charsets requests declare.
 */
const readers = new Map<string, Reader>();

function readerFor(label: string): Reader | null {
  let read = readers.get(label);
  if (read === undefined) {
    const made = makeReader(label);
    if (made === null) return null;
    readers.set(label, (read = made));
  }
  return read;
}

function makeReader(label: string): Reader | null {
  const ebcdic = EBCDIC.get(label);
  if (ebcdic !== undefined) return table(ebcdic);
  if (label === 'utf-32' || label === 'utf-32be' || label === 'ucs-4') return utf32(false);
  if (label === 'utf-32le') return utf32(true);
  // UTF-16 without an order and no BOM is big-endian (RFC 2781 §4.3); UCS-2 labels are read the same way
  if (label === 'utf-16' || label === 'utf-16be' || label === 'ucs-2' || label === 'iso-10646-ucs-2') return whatwg('utf-16be');
  return whatwg(label);
}

/** Byte-order marks, longest first (UTF-32LE's starts with UTF-16LE's). */
function bom(b: Uint8Array): { charset: string; length: number } | null {
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { charset: 'utf-32le', length: 4 };
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { charset: 'utf-32be', length: 4 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/** RFC 4627 §3 / XML appendix F: which of the first four bytes are zero tells UTF-16/32 and the order. */
function zeroPattern(b: Uint8Array): string | null {
  if (b.length < 4) return null;
  const z0 = b[0] === 0;
  const z1 = b[1] === 0;
  const z2 = b[2] === 0;
  const z3 = b[3] === 0;
  if (z0 && z1 && z2 && !z3) return 'utf-32be';
  if (!z0 && z1 && z2 && z3) return 'utf-32le';
  if (z0 && !z1 && z2 && !z3) return 'utf-16be';
  if (!z0 && z1 && !z2 && z3) return 'utf-16le';
  return null;
}

/**
 * The body as text when it is not (or may not be) UTF-8; null when the caller's UTF-8 reading is right.
 * A BOM wins over a declared charset (as in the WHATWG decode algorithm); a detected UTF-16/32 counts
 * only when no charset was declared and the result reads as text, so binary bodies that happen to start
 * with zero bytes stay binary.
 */
export function decodeCharset(bytes: Uint8Array, declared: string | undefined): DecodedBody | UnknownCharset | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return null; // UTF-8 BOM: read as UTF-8
  const mark = bom(bytes);
  if (mark !== null) {
    const read = readerFor(mark.charset);
    if (read !== null) return { text: read(bytes.subarray(mark.length)), charset: mark.charset, how: 'bom' };
  }
  const label = (declared ?? '').trim().toLowerCase();
  if (label !== '' && !UTF8_LABELS.has(label)) {
    // `utf-16` with no BOM: the zero bytes tell the order (.NET's "utf-16" is little-endian)
    const order = label === 'utf-16' ? zeroPattern(bytes) : null;
    const read = readerFor(order === 'utf-16le' || order === 'utf-16be' ? order : label);
    if (read === null) return { unknown: label.slice(0, 40) };
    return { text: read(bytes), charset: label, how: 'declared' };
  }
  if (label !== '') return null;
  const detected = zeroPattern(bytes);
  if (detected === null) return null;
  const read = readerFor(detected);
  if (read === null) return null;
  const text = read(bytes);
  return decodedLooksTextual(text) ? { text, charset: detected, how: 'detected' } : null;
}

/**
 * The text of `bytes` in their charset (decodeCharset), or undefined when the caller's UTF-8 reading is
 * right. A charset the inspector cannot read is reported as a parse_error at `point`; the caller then
 * reads the bytes as UTF-8.
 */
export function textInCharset(ctx: ParseContext, bytes: Uint8Array, declared: string | undefined, point: string): string | undefined {
  const decoded = decodeCharset(bytes, declared);
  if (decoded === null) return undefined;
  if ('unknown' in decoded) {
    ctx.parseError(point, `charset ${decoded.unknown} is not one the inspector reads; inspected as UTF-8`);
    return undefined;
  }
  return decoded.text;
}
