/**
 * UUIDs as Kong makes them: random v4 for new entities, and in declarative config the
 * name-based v5 ids of `kong/db/schema/others/declarative_config.lua: generate_uuid`
 * (`resty.jit-uuid` factory_v5 = RFC 4122 v5: SHA-1 over namespace bytes + name).
 */
import { createHash, randomUUID } from 'node:crypto';

export function uuidV4(): string {
  return randomUUID();
}

export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Kong's root namespace for declarative entity ids. */
const ENTITIES_NAMESPACE = 'fd02801f-0957-4a15-a55a-c8d9606f30b5';
const namespaces = new Map<string, string>();

/** `generate_uuid(entity, key)`: v5 of `key` in the namespace v5(root, entity). */
export function declarativeUuid(entity: string, key: string): string {
  let ns = namespaces.get(entity);
  if (!ns) {
    ns = uuidV5(ENTITIES_NAMESPACE, entity);
    namespaces.set(entity, ns);
  }
  return uuidV5(ns, key);
}
