/**
 * A value's inferred type and format. Every check is a hand-written scan (values are attacker-controlled,
 * so no backtracking regex), and each format is a SUBSET of what ajv-formats (fast mode) accepts under the
 * same name: an OpenAPI document exported from the inventory then never rejects the traffic it was made from.
 */

export type ValueType = 'integer' | 'number' | 'boolean' | 'string' | 'null' | 'object' | 'array';
export type ValueFormat = 'uuid' | 'email' | 'date' | 'date-time' | 'ipv4' | 'uri' | 'jwt' | 'base64' | 'base64url' | 'hex';

export interface Inferred {
  type: ValueType;
  format: ValueFormat | null;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isAlpha = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);

function allDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** `-?[0-9]+`, at most 18 digits (beyond that a JSON number loses precision: kept as string). */
export function isIntegerText(s: string): boolean {
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  return s.length - start <= 18 && allDigits(s, start);
}

/** `-?digits.digits` with an optional exponent; the shapes JSON and Ajv's coercion both accept. */
export function isNumberText(s: string): boolean {
  if (s.length > 32) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  const intStart = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  // a long digit run is an identifier, not a quantity
  if (i === intStart || i - intStart > 15) return false;
  if (i < s.length && s.charCodeAt(i) === 46) {
    const f = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === f) return false;
  }
  if (i < s.length && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
    i++;
    if (i < s.length && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const e = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === e) return false;
  }
  return i === s.length;
}

export function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` with a real month and day. */
export function isDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  if (!allDigits(s, 0, 4) || !allDigits(s, 5, 7) || !allDigits(s, 8, 10)) return false;
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  return m >= 1 && m <= 12 && d >= 1 && d <= DAYS[m - 1];
}

/** RFC 3339 date-time with a zone (`Z` or `±hh:mm`), as ajv-formats requires. */
export function isDateTime(s: string): boolean {
  if (s.length < 20 || s.length > 40 || !isDate(s.slice(0, 10))) return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116) return false; // ajv-formats' fast mode takes no space separator
  if (!allDigits(s, 11, 13) || s.charCodeAt(13) !== 58 || !allDigits(s, 14, 16) || s.charCodeAt(16) !== 58 || !allDigits(s, 17, 19)) return false;
  if (Number(s.slice(11, 13)) > 23 || Number(s.slice(14, 16)) > 59 || Number(s.slice(17, 19)) > 59) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    const f = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === f) return false;
  }
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i === s.length - 1) return true;
  if ((z === 43 || z === 45) && s.length - i === 6 && allDigits(s, i + 1, i + 3) && s.charCodeAt(i + 3) === 58 && allDigits(s, i + 4, i + 6)) return true;
  return false;
}

const EMAIL_LOCAL = new Set([...".!#$%&'*+/=?^_`{|}~-"].map((c) => c.charCodeAt(0)));

/** local@domain with ajv's character sets; the domain needs a dot (a@b is too weak to call an email). */
export function isEmail(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.indexOf('@');
  if (at < 1 || at !== s.lastIndexOf('@')) return false;
  for (let i = 0; i < at; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && !EMAIL_LOCAL.has(c)) return false;
    // dots only between characters (ajv-formats' full mode)
    if (c === 46 && (i === 0 || i === at - 1 || s.charCodeAt(i - 1) === 46)) return false;
  }
  const labels = s.slice(at + 1).split('.');
  if (labels.length < 2) return false;
  for (const l of labels) {
    if (l.length < 1 || l.length > 63) return false;
    if (!isAlnum(l.charCodeAt(0)) || !isAlnum(l.charCodeAt(l.length - 1))) return false;
    for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      if (!isAlnum(c) && c !== 45) return false;
    }
  }
  return isAlpha(labels[labels.length - 1].charCodeAt(0));
}

export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!allDigits(p) || p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 48) || Number(p) > 255) return false;
  }
  return true;
}

/** Absolute http(s)/ws(s)/ftp URL without spaces or controls. */
export function isUri(s: string): boolean {
  if (s.length > 2048) return false;
  const colon = s.indexOf('://');
  if (colon < 2 || colon > 5) return false;
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ws' && scheme !== 'wss' && scheme !== 'ftp') return false;
  if (s.length === colon + 3) return false;
  for (let i = colon + 3; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
  }
  return true;
}

function isB64UrlChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
}

/** header.payload.signature, base64url parts, a JSON header (`eyJ` = `{"`). */
export function isJwt(s: string): boolean {
  if (s.length < 20 || s.length > 8192 || !s.startsWith('eyJ')) return false;
  let dots = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (run === 0 && dots < 2) return false;
      dots++;
      run = 0;
    } else if (isB64UrlChar(c)) run++;
    else return false;
  }
  return dots === 2;
}

/** Long enough and mixed enough that it is a token, not a word: 16+ chars with a digit and a letter. */
function tokenLike(s: string, alphabet: (c: number) => boolean, end: number): boolean {
  if (end < 16) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!alphabet(c)) return false;
    if (isDigit(c)) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return digits > 0 && upper > 0 && lower > 0;
}

export function isHexToken(s: string): boolean {
  if (s.length < 16 || s.length > 1024) return false;
  let digits = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isHex(c)) return false;
    if (isDigit(c)) digits++;
    else letters++;
  }
  return digits > 0 && letters > 0;
}

/** Standard, padded base64 (OpenAPI `byte`), token-like. */
export function isBase64Token(s: string): boolean {
  if (s.length % 4 !== 0 || s.length > 65536) return false;
  let end = s.length;
  if (s.endsWith('==')) end -= 2;
  else if (s.endsWith('=')) end -= 1;
  return tokenLike(s, (c) => isAlnum(c) || c === 43 || c === 47, end);
}

export function isBase64UrlToken(s: string): boolean {
  return s.length <= 65536 && tokenLike(s, isB64UrlChar, s.length);
}

/** The format of a string, most specific first. */
export function stringFormat(s: string): ValueFormat | null {
  const n = s.length;
  if (n < 7) return null;
  const c0 = s.charCodeAt(0);
  if (n === 36 && isUuid(s)) return 'uuid';
  if (isDigit(c0)) {
    if (n === 10 && isDate(s)) return 'date';
    if (n >= 20 && isDateTime(s)) return 'date-time';
    if (n <= 15 && isIpv4(s)) return 'ipv4';
  }
  if (s.indexOf('@') > 0 && isEmail(s)) return 'email';
  if (s.indexOf('://') > 0 && isUri(s)) return 'uri';
  if (c0 === 101 && isJwt(s)) return 'jwt';
  if (isHexToken(s)) return 'hex';
  if (isBase64Token(s)) return 'base64';
  if (isBase64UrlToken(s)) return 'base64url';
  return null;
}

/** A value that arrived as text (path segment, query, header, cookie, form field). */
export function inferText(s: string): Inferred {
  if (s === 'true' || s === 'false') return { type: 'boolean', format: null };
  if (s.length > 0 && (isDigit(s.charCodeAt(0)) || s.charCodeAt(0) === 45)) {
    if (isIntegerText(s)) return { type: 'integer', format: null };
    if (isNumberText(s)) return { type: 'number', format: null };
  }
  return { type: 'string', format: stringFormat(s) };
}

/** A value parsed from JSON: its JSON type decides, strings get a format. */
export function inferJson(v: unknown): Inferred {
  if (v === null) return { type: 'null', format: null };
  switch (typeof v) {
    case 'boolean':
      return { type: 'boolean', format: null };
    case 'number':
      return { type: Number.isInteger(v) ? 'integer' : 'number', format: null };
    case 'string':
      return { type: 'string', format: stringFormat(v) };
    default:
      return { type: Array.isArray(v) ? 'array' : 'object', format: null };
  }
}
