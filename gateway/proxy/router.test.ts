/** Kong traditional_compatible routing and path joining. */
import { Router, upstreamUriV0 } from './router';
import { makeRoute, makeService } from './static-config';

const svc = makeService({ host: 'up', port: 80 });
const req = (path: string, over: Partial<{ method: string; host: string; headers: Record<string, string[]> }> = {}) => ({
  method: over.method ?? 'GET', path, host: over.host ?? 'example.test', protocol: 'http',
  headers: (n: string) => over.headers?.[n],
});

test('longer prefix wins; regex with regex_priority; hosts and wildcards; methods; headers', () => {
  const short = makeRoute({ name: 'short', paths: ['/api'], service: { id: svc.id } });
  const long = makeRoute({ name: 'long', paths: ['/api/users'], service: { id: svc.id } });
  const rx = makeRoute({ name: 'rx', paths: ['~/api/users/(?<id>\\d+)$'], regex_priority: 5, service: { id: svc.id } });
  const host = makeRoute({ name: 'host', hosts: ['*.example.org'], service: { id: svc.id } });
  const post = makeRoute({ name: 'post', paths: ['/api'], methods: ['POST'], service: { id: svc.id } });
  const hdr = makeRoute({ name: 'hdr', paths: ['/api'], headers: { 'x-version': ['v2'] }, service: { id: svc.id } });
  const r = new Router([short, long, rx, host, post, hdr], [svc]);
  expect(r.match(req('/api/things'))?.route.name).toBe('short');
  expect(r.match(req('/api/users/x'))?.route.name).toBe('long');
  const m = r.match(req('/api/users/42'));
  // same number of fields: the regex bit ranks above any prefix length (Kong evaluates regex paths first)
  expect(m?.route.name).toBe('rx');
  expect(m?.captures?.named).toEqual({ id: '42' });
  expect(r.match(req('/api/things', { method: 'POST' }))?.route.name).toBe('post');
  expect(r.match(req('/api/things', { headers: { 'x-version': ['V2'] } }))?.route.name).toBe('hdr');
  expect(r.match(req('/anything', { host: 'a.example.org:8000' }))?.route.name).toBe('host');
  expect(r.match(req('/anything', { host: 'example.org' }))).toBeNull();
});

test('regex paths: captures; regex_priority orders regex routes', () => {
  const a = makeRoute({ name: 'a', paths: ['~/users/(?<id>\\d+)'], regex_priority: 1, service: { id: svc.id } });
  const b = makeRoute({ name: 'b', paths: ['~/users/\\d+'], regex_priority: 9, service: { id: svc.id } });
  const r = new Router([a, b], [svc]);
  expect(r.match(req('/users/7'))?.route.name).toBe('b');
  const only = new Router([a], [svc]).match(req('/users/7/orders'));
  expect(only?.captures).toEqual({ unnamed: ['/users/7', '7'], named: { id: '7' } });
  expect(only?.postfix).toBe('/orders');
});

test('upstream path join (path_handling v0)', () => {
  expect(upstreamUriV0(true, '', '/echo', '/')).toBe('/');
  expect(upstreamUriV0(true, '/x', '/echo/x', '/')).toBe('/x');
  expect(upstreamUriV0(true, '/x', '/echo/x', '/base')).toBe('/base/x');
  expect(upstreamUriV0(true, '', '/echo/', '/base')).toBe('/base/');
  expect(upstreamUriV0(true, 'x', '/echox', '/base')).toBe('/base/x');
  expect(upstreamUriV0(false, '', '/echo/x', '/base')).toBe('/base/echo/x');
  expect(upstreamUriV0(false, '', '/echo/x', '/base/')).toBe('/base/echo/x');
  expect(upstreamUriV0(false, '', '/', '/base')).toBe('/base');
});
