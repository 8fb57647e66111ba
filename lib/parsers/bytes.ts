import { isUtf8 } from 'node:buffer';
import { decodeUtf8Lenient } from '../decoders/utf8';

/**
 * Bytes as text. Valid UTF-8 takes the fast native path; anything else is decoded leniently (overlong
 * forms decoded, stray bytes kept as Latin-1) so that invalid UTF-8 can neither throw nor hide a payload
 * behind U+FFFD.
 */
export function bytesToText(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  return decodeUtf8Lenient(buf);
}

/** C0 controls other than tab/LF/FF/CR, and DEL: characters that text does not hold. */
function isBinaryControl(c: number): boolean {
  return (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 127;
}

/** Share of binary characters above which something is not text. */
const MAX_BINARY_RATIO = 0.03;

/** How much of the start of a body is looked at to tell text from binary. */
const SAMPLE = 4096;

/**
 * Share of bytes that are binary: C0 controls other than tab/LF/CR/FF, DEL, and U+FFFD replacement
 * characters (EF BF BD), which is what binary files become after a lossy text round trip.
 */
export function binaryRatio(bytes: Uint8Array, sample = SAMPLE): number {
  const n = Math.min(bytes.length, sample);
  if (n === 0) return 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (isBinaryControl(b)) bad += 1;
    else if (b === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) {
      bad += 3;
      i += 2;
    }
  }
  return bad / n;
}

/** Text a person or program wrote, as opposed to images, archives or ciphertext. */
export function looksTextual(bytes: Uint8Array): boolean {
  return binaryRatio(bytes) <= MAX_BINARY_RATIO;
}

/** looksTextual for bytes already decoded (charset.ts): the same classes, U+FFFD counted per character. */
export function decodedLooksTextual(s: string): boolean {
  const n = Math.min(s.length, SAMPLE);
  if (n === 0) return false;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isBinaryControl(c) || c === 0xfffd) bad += 1;
  }
  return bad / n <= MAX_BINARY_RATIO;
}
