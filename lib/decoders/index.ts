import type { DecoderName } from '../types';
import { base64Decode } from './base64';
import { removeControls } from './controls';
import { htmlDecode } from './html';
import { jsUnescape } from './js';
import { stripSqlComments } from './sql-comments';
import { foldUnicode } from './unicode';
import { urlDecode } from './url';
import { collapseWhitespace } from './whitespace';

export { decodeUtf8Lenient } from './utf8';
export { urlDecode, urlDecodeOnce } from './url';
export { htmlDecode } from './html';
export { jsUnescape } from './js';
export { removeControls } from './controls';
export { collapseWhitespace } from './whitespace';
export { foldUnicode } from './unicode';
export { stripSqlComments } from './sql-comments';
export { decodeBase64Text, base64Decode } from './base64';

export const DECODERS: Readonly<Record<DecoderName, (s: string) => string>> = {
  url: urlDecode,
  html: htmlDecode,
  js: jsUnescape,
  nulls: removeControls,
  lower: (s) => s.toLowerCase(),
  spaces: collapseWhitespace,
  unicode: foldUnicode,
  sql_comments: stripSqlComments,
  base64: base64Decode,
};

/** Applies decoders in order. */
export function applyDecoders(value: string, chain: readonly DecoderName[]): string {
  let v = value;
  for (const name of chain) v = DECODERS[name](v);
  return v;
}
