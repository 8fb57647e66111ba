/**
 * Sensitive-data flags for one parameter value. Only the FLAG leaves the node, never the value. Card numbers
 * must pass Luhn AND start with a card network's prefix (13-digit millisecond timestamps pass Luhn one time
 * in ten; they start with 1 and are not cards); IBANs must pass ISO 13616 mod-97.
 */
import { isEmail, isJwt } from './formats';

export const SENSITIVE_KINDS = ['email', 'card', 'iban', 'jwt', 'bearer', 'password'] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

/** One bit per kind, so flags OR together on the node and in the collector. */
export const SENSITIVE_BIT: Record<SensitiveKind, number> = { email: 1, card: 2, iban: 4, jwt: 8, bearer: 16, password: 32 };

export function flagsToKinds(flags: number): SensitiveKind[] {
  return SENSITIVE_KINDS.filter((k) => (flags & SENSITIVE_BIT[k]) !== 0);
}

export function kindsToFlags(kinds: readonly string[]): number {
  let f = 0;
  for (const k of kinds) f |= SENSITIVE_BIT[k as SensitiveKind] ?? 0;
  return f;
}

/** Names that hold credentials by convention (last path component, lower-cased). */
export function isPasswordName(name: string): boolean {
  const n = name.toLowerCase();
  return n.includes('password') || n.includes('passwd') || n === 'pwd' || n.endsWith('_pwd') || n.endsWith('-pwd') || n.includes('secret') || n === 'pass' || n === 'passphrase';
}

/** Card number: 13-19 digits (single spaces or dashes between groups allowed), network prefix, Luhn. */
export function isCardNumber(s: string): boolean {
  if (s.length < 13 || s.length > 23) return false;
  const digits: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits.push(c - 48);
    else if ((c === 32 || c === 45) && i > 0 && i < s.length - 1 && digits.length > 0) continue;
    else return false;
  }
  const n = digits.length;
  if (n < 13 || n > 19 || !networkPrefix(digits, n)) return false;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let d = digits[n - 1 - i];
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function networkPrefix(d: number[], n: number): boolean {
  const p2 = d[0] * 10 + d[1];
  const p4 = p2 * 100 + d[2] * 10 + d[3];
  if (d[0] === 4) return n === 13 || n === 16 || n === 19; // Visa
  if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p2 === 36 || p2 === 38 || p2 === 30) return n >= 14 && n <= 19; // Diners
  if (p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499)) return n >= 16; // Discover
  if (p2 === 62) return n >= 16; // UnionPay
  if (p4 >= 3528 && p4 <= 3589) return n >= 16; // JCB
  return false;
}

/** IBAN: country letters, check digits, 11-30 alphanumerics (spaces between groups allowed), mod 97 == 1. */
export function isIban(s: string): boolean {
  if (s.length < 15 || s.length > 42) return false;
  let compact = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) continue;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) compact += s[i];
    else if (c >= 97 && c <= 122) compact += s[i].toUpperCase();
    else return false;
  }
  if (compact.length < 15 || compact.length > 34) return false;
  const a = compact.charCodeAt(0);
  const b = compact.charCodeAt(1);
  if (a < 65 || a > 90 || b < 65 || b > 90 || !/^[0-9]{2}$/.test(compact.slice(2, 4))) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else rem = (rem * 100 + (c - 55)) % 97;
  }
  return rem === 1;
}

/** Flags for a text value held by `name` (the parameter's last name component). */
export function sensitiveFlags(name: string, value: string): number {
  let f = 0;
  if (isPasswordName(name) && value !== '') f |= SENSITIVE_BIT.password;
  const n = value.length;
  if (n < 6) return f;
  const c0 = value.charCodeAt(0);
  if (value.indexOf('@') > 0 && isEmail(value)) f |= SENSITIVE_BIT.email;
  if (c0 >= 48 && c0 <= 57 && n >= 13 && isCardNumber(value)) f |= SENSITIVE_BIT.card;
  if (n >= 15 && ((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) {
    if (isIban(value)) f |= SENSITIVE_BIT.iban;
    if (value.startsWith('Bearer ') || value.startsWith('bearer ')) {
      f |= SENSITIVE_BIT.bearer;
      if (isJwt(value.slice(7).trim())) f |= SENSITIVE_BIT.jwt;
    } else if (value.startsWith('Basic ') || value.startsWith('basic ')) f |= SENSITIVE_BIT.password;
    else if (c0 === 101 && isJwt(value)) f |= SENSITIVE_BIT.jwt;
  }
  return f;
}
