/**
 * The shared IP greylist (see keyspace.ts: `<prefix>:ban:grey:<ip>`). key-auth-ext adds an IP on
 * brute-force lockout (when configured); api-waf adds IPs that sent N distinct malicious payloads
 * and reads the list on every request. Sharing needs the `redis` store with the same prefix and
 * database in both plugins: each plugin runs in its own pluginserver process, so the `local`
 * store's greylist is visible only inside the process that wrote it.
 */
import { greylistKey } from './keyspace';
import { normalizeIp } from './net';
import type { Ban, WindowStore } from './window-counter';

export async function greylistIp(store: WindowStore, ip: string, seconds: number, reason: string): Promise<boolean> {
  const canonical = normalizeIp(ip);
  if (!canonical || !(seconds > 0)) return false;
  await store.ban({ key: greylistKey(canonical), seconds, reason });
  return true;
}

export async function greylisted(store: WindowStore, ip: string): Promise<Ban | undefined> {
  const canonical = normalizeIp(ip);
  return canonical ? store.banned(greylistKey(canonical)) : undefined;
}

export async function ungreylistIp(store: WindowStore, ip: string): Promise<void> {
  const canonical = normalizeIp(ip);
  if (canonical) await store.unban(greylistKey(canonical));
}
