/**
 * API keys at rest are hashes only: `sha256:<hex>` or `hmac-sha256:<hex>` (HMAC-SHA256 keyed with a
 * pepper from the plugin server's environment, so a leaked config alone cannot be brute-forced
 * offline). A presented key is hashed with every algorithm in use, the digest is looked up in a
 * map, and the hit is confirmed with `timingSafeEqual`. The lookup is by digest, never by the key,
 * so timing reveals nothing useful about stored keys.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CidrSet } from '../common/net';

export type HashAlgorithm = 'sha256' | 'hmac-sha256';

export interface ParsedHash {
  algorithm: HashAlgorithm;
  digest: Buffer;
}

export interface KeyEntry {
  id: string;
  /** Consumer id or username. */
  consumer: string;
  algorithm: HashAlgorithm;
  digest: Buffer;
  /** Epoch ms; undefined = no bound. */
  notBefore?: number;
  expiresAt?: number;
  scopes: ReadonlySet<string>;
  /** undefined = any client IP. */
  allowedCidrs?: CidrSet;
}

const HEX64 = 64;

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

export function parseKeyHash(spec: string): ParsedHash | undefined {
  if (typeof spec !== 'string') return undefined;
  const colon = spec.indexOf(':');
  if (colon < 0) return undefined;
  const algorithm = spec.slice(0, colon).toLowerCase();
  const hex = spec.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'hmac-sha256') return undefined;
  if (hex.length !== HEX64 || !isHex(hex)) return undefined;
  return { algorithm, digest: Buffer.from(hex, 'hex') };
}

export function hashKey(key: string, algorithm: HashAlgorithm, pepper?: string): Buffer {
  if (algorithm === 'sha256') return createHash('sha256').update(key, 'utf8').digest();
  if (!pepper) throw new Error('hmac-sha256 needs a pepper');
  return createHmac('sha256', pepper).update(key, 'utf8').digest();
}

export function formatKeyHash(key: string, algorithm: HashAlgorithm, pepper?: string): string {
  return `${algorithm}:${hashKey(key, algorithm, pepper).toString('hex')}`;
}

/** A new random key: "kas_" + 32 random bytes in base64url (256 bits). */
export function generateKey(): string {
  return `kas_${randomBytes(32).toString('base64url')}`;
}

/**
 * Parses an instant: ISO 8601 (`2027-01-01`, `2027-01-01T00:00:00Z`, with offset) or epoch SECONDS
 * given as digits (string or number). Returns epoch ms, or undefined when invalid.
 */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s.length === 0 || s.length > 40) return undefined;
  let allDigits = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      allDigits = false;
      break;
    }
  }
  if (allDigits) return Number(s) * 1000;
  const c0 = s.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return undefined; // Date.parse accepts free text; ISO starts with a digit
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Keys by digest, per algorithm. */
export class KeyIndex {
  private readonly byAlgorithm = new Map<HashAlgorithm, Map<string, KeyEntry[]>>();

  constructor(
    entries: readonly KeyEntry[],
    private readonly pepper?: string,
  ) {
    for (const e of entries) {
      let m = this.byAlgorithm.get(e.algorithm);
      if (!m) {
        m = new Map();
        this.byAlgorithm.set(e.algorithm, m);
      }
      const hex = e.digest.toString('hex');
      const list = m.get(hex);
      if (list) list.push(e);
      else m.set(hex, [e]);
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAlgorithm.values()) for (const l of m.values()) n += l.length;
    return n;
  }

  /**
   * Every entry whose hash matches the presented key (normally one; several when the same secret
   * was configured twice, e.g. with different validity periods during a rotation).
   */
  find(presented: string): KeyEntry[] {
    const found: KeyEntry[] = [];
    for (const [algorithm, m] of this.byAlgorithm) {
      if (algorithm === 'hmac-sha256' && !this.pepper) continue;
      const digest = hashKey(presented, algorithm, this.pepper);
      const candidates = m.get(digest.toString('hex'));
      if (!candidates) continue;
      for (const c of candidates) if (c.digest.length === digest.length && timingSafeEqual(c.digest, digest)) found.push(c);
    }
    return found;
  }
}
