import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';

/** Node name -> bearer token. */
export type NodeTokens = Record<string, string>;

/** Parses `node-a:tokenA,node-b:tokenB` (commas or newlines; `#` starts a comment line in files). */
export function parseNodeTokens(text: string): NodeTokens {
  const tokens: NodeTokens = {};
  for (const raw of text.split(/[,\n]/)) {
    const item = raw.trim();
    if (item === '' || item.startsWith('#')) continue;
    const colon = item.indexOf(':');
    const name = colon === -1 ? '' : item.slice(0, colon).trim();
    const token = colon === -1 ? '' : item.slice(colon + 1).trim();
    if (!name || !token) throw new Error(`invalid node token entry (expected name:token): "${item.slice(0, 40)}"`);
    if (token.length < 16) throw new Error(`token of node "${name}" is shorter than 16 characters`);
    if (tokens[name] !== undefined) throw new Error(`node "${name}" is listed twice`);
    tokens[name] = token;
  }
  return tokens;
}

export function readNodeTokensFile(file: string): NodeTokens {
  return parseNodeTokens(fs.readFileSync(file, 'utf8'));
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Checks bearer tokens in constant time: every known token is compared (as fixed-length SHA-256 digests, so
 * lengths leak nothing) and the loop never exits early.
 */
export class TokenMatcher {
  private readonly entries: { name: string; digest: Buffer }[];

  constructor(tokens: NodeTokens) {
    this.entries = Object.entries(tokens).map(([name, token]) => ({ name, digest: digest(token) }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The name whose token equals `presented`, or null. */
  match(presented: string | null): string | null {
    if (presented === null) return null;
    const candidate = digest(presented);
    let found: string | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && found === null) found = entry.name;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : null;
}
