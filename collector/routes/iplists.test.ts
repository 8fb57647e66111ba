import { AccessControl } from '../access';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest } from 'fastify';
import { ADMIN_TOKEN, NODE_TOKENS, startTestCollector, type TestCollector } from '../testing/collector';
import { matchesIfNoneMatch } from './iplists';

interface EntryJson { id: number; cidr: string; list: string; reason: string | null; expires_at: string | null; created_at: string }

describe.each(['sqlite', 'postgres'] as const)('IP list sync (%s)', (kind) => {
  let collector: TestCollector;
  let clock = Date.parse('2025-06-01T00:00:00Z');
  const node = { Authorization: `Bearer ${NODE_TOKENS['node-b']}` };
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

  beforeAll(async () => {
    collector = await startTestCollector(kind, { adminToken: ADMIN_TOKEN, now: () => clock });
  });
  afterAll(async () => {
    await collector.close();
  });
  const add = (body: unknown, headers: Record<string, string> = admin) =>
    fetch(`${collector.url}/api/v1/iplists`, { method: 'POST', headers, body: JSON.stringify(body) });
  const remove = (id: number | string, headers: Record<string, string> = admin) =>
    fetch(`${collector.url}/api/v1/iplists/${id}`, { method: 'DELETE', headers });
  const list = async () => {
    const response = await collector.get('/api/v1/iplists', node);
    expect(response.status).toBe(200);
    return { etag: response.headers.get('etag') ?? '', entries: ((await response.json()) as { entries: EntryJson[] }).entries };
  };

  test('admin adds entries, nodes see them with a strong ETag and get 304 until something changes', async () => {
    const empty = await list();
    expect(empty.entries).toEqual([]);
    expect(empty.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);

    const created = await add({ cidr: '198.51.100.7', list: 'deny', reason: 'credential stuffing' });
    expect(created.status).toBe(201);
    const entry = (await created.json()) as EntryJson;
    expect(entry).toEqual({
      id: expect.any(Number), cidr: '198.51.100.7/32', list: 'deny', reason: 'credential stuffing', expires_at: null,
      created_at: new Date(clock).toISOString(),
    });
    const first = await list();
    expect(first.entries).toEqual([entry]);
    expect(matchesContract({ entries: first.entries })).toBe(true);
    expect(first.etag).not.toBe(empty.etag);

    const cached = await collector.get('/api/v1/iplists', { ...node, 'If-None-Match': first.etag });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(first.etag);
    expect(await cached.text()).toBe('');
    expect((await collector.get('/api/v1/iplists', { ...node, 'If-None-Match': `W/${first.etag}, "other"` })).status).toBe(304);
    expect((await collector.get('/api/v1/iplists', { ...node, 'If-None-Match': empty.etag })).status).toBe(200);

    // Same cidr again: updated in place (200), which changes the ETag.
    const updated = await add({ cidr: '198.51.100.7/32', list: 'deny', reason: 'still stuffing' });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as EntryJson).id).toBe(entry.id);
    const second = await list();
    expect(second.etag).not.toBe(first.etag);
    expect((await collector.get('/api/v1/iplists', { ...node, 'If-None-Match': first.etag })).status).toBe(200);

    expect((await remove(entry.id)).status).toBe(204);
    expect((await remove(entry.id)).status).toBe(404);
    const after = await list();
    expect(after.entries).toEqual([]);
    expect(after.etag).toBe(empty.etag);
  });

  test('expired entries vanish from the list at their expiry time', async () => {
    const ttl = (await (await add({ cidr: '2001:db8::/32', list: 'grey', ttl_seconds: 60 })).json()) as EntryJson;
    expect(ttl.expires_at).toBe(new Date(clock + 60_000).toISOString());
    const until = new Date(clock + 3_600_000).toISOString();
    await add({ cidr: '10.9.0.0/16', list: 'allow', expires_at: until, reason: null });
    const before = await list();
    expect(before.entries.map((e) => e.cidr)).toEqual(['2001:db8::/32', '10.9.0.0/16']);
    clock += 60_000;
    const later = await list();
    expect(later.entries.map((e) => e.cidr)).toEqual(['10.9.0.0/16']);
    expect(later.etag).not.toBe(before.etag);
    clock += 3_600_000;
    expect((await list()).entries).toEqual([]);
  });

  test('admin API validation errors', async () => {
    const cases: [unknown, string][] = [
      [{ cidr: 'example.com', list: 'deny' }, '/cidr'],
      [{ cidr: '10.0.0.1', list: 'block' }, '/list'],
      [{ cidr: '10.0.0.1', list: 'deny', ttl_seconds: 0 }, '/ttl_seconds'],
      [{ cidr: '10.0.0.1', list: 'deny', expires_at: 'tomorrow' }, '/expires_at'],
      [{ cidr: '10.0.0.1', list: 'deny', expires_at: new Date(clock - 1000).toISOString() }, '/expires_at'],
      [{ cidr: '10.0.0.1', list: 'deny', owner: 'me' }, '/'],
    ];
    for (const [body, path] of cases) {
      const response = await add(body);
      expect(response.status).toBe(400);
      const json = (await response.json()) as { error: string; details: { path: string }[] };
      expect(json.error).toBe('invalid_entry');
      expect(json.details.map((d) => d.path)).toContain(path);
    }
    expect((await remove('abc')).status).toBe(400);
  });

  test('admin token is required for changes; node tokens cannot write', async () => {
    const body = { cidr: '10.0.0.1', list: 'deny' };
    expect((await add(body, { 'Content-Type': 'application/json' })).status).toBe(401);
    expect((await add(body, { ...node, 'Content-Type': 'application/json' })).status).toBe(401);
    expect((await remove(1, node)).status).toBe(401);
    expect((await collector.get('/api/v1/iplists')).status).toBe(401);
    expect((await collector.get('/api/v1/iplists', { Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    expect((await collector.get('/api/v1/stats/summary', node)).status).toBe(401);
  });
});

describe('admin access without COLLECTOR_ADMIN_TOKEN', () => {
  const access = new AccessControl(NODE_TOKENS, null);
  const request = (remoteAddress: string, authorization?: string) =>
    ({ socket: { remoteAddress }, headers: { authorization } }) as unknown as FastifyRequest;

  test('operator access is open to loopback clients only', () => {
    for (const address of ['127.0.0.1', '127.8.0.1', '::1', '::ffff:127.0.0.1']) expect(() => access.operator(request(address))).not.toThrow();
    for (const address of ['192.0.2.50', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', '']) {
      expect(() => access.operator(request(address))).toThrow(expect.objectContaining({ statusCode: 403 }));
    }
  });

  test('nodes still read the list from anywhere with their token', () => {
    expect(() => access.nodeOrOperator(request('192.0.2.50', `Bearer ${NODE_TOKENS['node-a']}`))).not.toThrow();
    expect(() => access.nodeOrOperator(request('192.0.2.50', 'Bearer nope'))).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => access.node(request('127.0.0.1'))).toThrow(expect.objectContaining({ statusCode: 401 }));
  });
});

describe('over HTTP on loopback without an admin token', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector('sqlite');
  });
  afterAll(async () => {
    await collector.close();
  });

  test('the admin API works without a token', async () => {
    const response = await fetch(`${collector.url}/api/v1/iplists`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cidr: '192.0.2.1', list: 'deny' }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as EntryJson;
    const removed = await fetch(`${collector.url}/api/v1/iplists/${id}`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' } });
    expect(removed.status).toBe(204);
  });
});

function matchesContract(body: unknown): boolean {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'contracts', 'iplists.schema.json'), 'utf8')) as object;
  return ajv.validate(schema, body) as boolean;
}

test('If-None-Match parsing', () => {
  expect(matchesIfNoneMatch('"a", "b"', '"b"')).toBe(true);
  expect(matchesIfNoneMatch('*', '"b"')).toBe(true);
  expect(matchesIfNoneMatch('"a"', '"b"')).toBe(false);
  expect(matchesIfNoneMatch(undefined, '"b"')).toBe(false);
});
