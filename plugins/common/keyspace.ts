/**
 * The Redis keyspace shared by kong-api-shield plugins (key-auth-ext, api-waf). All keys start with
 * a configurable prefix (default "kas"); plugins that must see each other's state use the same
 * prefix and Redis database. Every key is written with a TTL.
 *
 *   <prefix>:cnt:<counter key>:<bucket>   integer   fixed/sliding window bucket (bucket = floor(now/window)); TTL 2×window
 *   <prefix>:dst:<distinct key>            zset      member = 24-hex sha256 of the item, score = ms seen; TTL window
 *   <prefix>:ban:<ban key>                 string    reason text; PTTL = remaining ban time
 *
 * Counter/ban keys used by the plugins (the part after `cnt:`/`dst:`/`ban:`):
 *
 *   authfail:<plugin id>:<ip>     key-auth-ext failed-key counter (per plugin entity, per client IP)
 *   lockout:<plugin id>:<ip>      key-auth-ext lockout ban
 *   grey:<ip>                     GREYLIST (shared by all plugins): an IP listed here is treated as
 *                                 greylisted by api-waf. Written by key-auth-ext on lockout (option)
 *                                 and by api-waf's automatic greylisting. Value = reason, e.g.
 *                                 "key-auth-ext: brute force (10 invalid keys in 60s)".
 *   greyhits:<ip>                 api-waf: distinct malicious payload hashes per IP (dst:)
 *
 * IPs in keys are canonical (`normalizeIp`: dotted quad, RFC 5952 IPv6, IPv4-mapped → IPv4) so
 * every plugin computes the same key for one client.
 */
export const DEFAULT_PREFIX = 'kas';

export const keys = {
  counter: (prefix: string, key: string, bucket: number): string => `${prefix}:cnt:${key}:${bucket}`,
  distinct: (prefix: string, key: string): string => `${prefix}:dst:${key}`,
  ban: (prefix: string, key: string): string => `${prefix}:ban:${key}`,
};

/** Ban key of the shared greylist for a canonical IP. */
export const greylistKey = (ip: string): string => `grey:${ip}`;
/** api-waf's distinct-payload counter for a canonical IP. */
export const greylistHitsKey = (ip: string): string => `greyhits:${ip}`;
export const authFailKey = (pluginId: string, ip: string): string => `authfail:${pluginId}:${ip}`;
export const lockoutKey = (pluginId: string, ip: string): string => `lockout:${pluginId}:${ip}`;
