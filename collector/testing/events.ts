import { randomUUID } from 'node:crypto';
import type { EventBatch, EventInput } from '../store/types';

/** A valid contract event; `overrides` replaces fields. Used by tests and the bench. */
export function makeEvent(overrides: Partial<EventInput> = {}): EventInput {
  return {
    id: randomUUID(),
    time: new Date().toISOString(),
    kind: 'attack',
    plugin: 'api-waf',
    application_id: null,
    request_id: randomUUID().replace(/-/g, ''),
    route_id: 'route-users',
    service_id: 'svc-users',
    consumer_id: null,
    client_ip: '203.0.113.7',
    host: 'api.example.test',
    method: 'GET',
    path: '/api/users',
    attack_types: ['sqli'],
    action: 'blocked',
    mode: 'block',
    status: 403,
    rule: 'sqli.tautology',
    findings: [{ type: 'sqli', point: 'query.q', excerpt: "1' OR '1'='1", confidence: 0.97 }],
    ...overrides,
  };
}

export function makeBatch(events: EventInput[], nodeId = 'node-a', dropped?: Record<string, number>): EventBatch {
  const batch: EventBatch = { node_id: nodeId, sent_at: new Date().toISOString(), events };
  if (dropped) batch.dropped = dropped;
  return batch;
}

const TYPES = ['sqli', 'xss', 'rce', 'path_traversal', 'nosqli', 'ssrf', 'xxe', 'graphql_abuse'];
const PATHS = ['/api/users', '/api/orders', '/api/login', '/graphql', '/api/search', '/api/files', '/api/admin'];
const EXCERPTS = ["1' OR '1'='1", '<script>alert(1)</script>', ';cat /etc/passwd', '../../etc/shadow', '{"$ne":null}'];

/** Deterministic pseudo-random event number `i` spread over [from, to): bench data without Math.random. */
export function syntheticEvent(i: number, from: number, to: number): EventInput {
  const h = hash(i);
  const type = TYPES[h % TYPES.length];
  const path = PATHS[(h >>> 3) % PATHS.length];
  const actionRoll = (h >>> 7) % 10;
  const bruteForce = (h >>> 11) % 25 === 0;
  const time = from + Math.floor(((h >>> 1) / 0x7fffffff) * (to - from));
  return makeEvent({
    id: uuidFrom(i),
    time: new Date(time).toISOString(),
    kind: bruteForce ? 'brute_force' : 'attack',
    plugin: bruteForce ? 'key-auth-ext' : 'api-waf',
    request_id: `req-${i}`,
    route_id: `route-${path.slice(1).replace(/\W/g, '-')}`,
    client_ip: `198.51.${(h >>> 13) % 64}.${(h >>> 19) % 250}`,
    path,
    method: (h >>> 5) % 3 === 0 ? 'POST' : 'GET',
    attack_types: bruteForce ? [] : [type],
    action: actionRoll < 6 ? 'blocked' : actionRoll < 9 ? 'monitored' : 'passed',
    findings: bruteForce ? [] : [{ type, point: 'query.q', excerpt: EXCERPTS[h % EXCERPTS.length], confidence: 0.9 }],
  });
}

function hash(i: number): number {
  let x = (i + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function uuidFrom(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}
