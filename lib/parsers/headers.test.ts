import { mergeLimits } from '../limits';
import type { HttpRequest } from '../types';
import { isTokenSyntax } from './headers';
import { parseRequest } from './request';
import { keys, parse, values } from './testing';

describe('header parser', () => {
  it('inspects user-agent, referer, x-forwarded-for and custom headers', () => {
    const v = values(parse({ headers: { 'user-agent': 'curl/8', referer: 'https://a.example/x', 'x-forwarded-for': '1.2.3.4', 'x-tenant': 'acme' } }).points);
    expect(v).toMatchObject({ 'header.user-agent': 'curl/8', 'header.referer': 'https://a.example/x', 'header.x-forwarded-for': '1.2.3.4', 'header.x-tenant': 'acme' });
  });

  it('skips syntax headers while they stay in their grammar, inspects them when they leave it', () => {
    const benign = parse({
      headers: {
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
        'accept-encoding': 'gzip, deflate, br',
        'sec-ch-ua': '"Chromium";v="126", "Google Chrome";v="126", "Not-A.Brand";v="99"',
        'if-none-match': '"SMChYyMDI0MDYyNC0xODAyMTQuMDY3MDAwEggIABADGH4gABoOCggxNzE5MzE2OBICCAI=#nzc1tE89/l0="',
      },
    });
    expect(benign.points).toEqual([]);
    const attack = values(parse({ headers: { accept: '${jndi:ldap://x/a}', 'sec-ch-ua': '"x" or "a"="a' } }).points);
    expect(attack['header.accept']).toBe('${jndi:ldap://x/a}');
    expect(attack['header.sec-ch-ua']).toBe('"x" or "a"="a');
  });

  it('skips a Host that is host[:port] and inspects one that is not', () => {
    for (const host of ['api.example.com', 'api.example.com:8443', '10.0.0.7:80', '[::1]:8000', 'localhost']) {
      expect({ host, points: values(parse({ headers: { host } }).points) }).toEqual({ host, points: {} });
    }
    for (const host of ['evil.example/../../etc/passwd', 'a.example"><script>alert(1)</script>', 'a.example:80@evil.example', "x' or 1=1--"]) {
      expect(values(parse({ headers: { host } }).points)['header.host']).toBe(host);
    }
  });

  it('isTokenSyntax rejects quotes used for injection', () => {
    expect(isTokenSyntax("en-US,en;q=0.9")).toBe(true);
    expect(isTokenSyntax("en' or '1'='1")).toBe(false);
    expect(isTokenSyntax('"="')).toBe(false);
  });

  it('parses cookies into cookie points with decoding and unquoting', () => {
    const r = parse({ headers: { cookie: 'sid=abc%27def; theme="dark"; a[b]=1; =lonely' } });
    const v = values(r.points);
    expect(v['cookie.sid']).toBe("abc'def");
    expect(v['cookie.theme']).toBe('dark');
    expect(keys(r.points)).toContain('cookie.a[b]=a[b]');
    expect(r.points.find((p) => p.path === 'cookie.sid')?.source).toBe('cookie');
  });

  it('takes Authorization credentials and peels Basic and Bearer JWTs', () => {
    const jwt = `${Buffer.from('{"alg":"HS256","kid":"../../k"}').toString('base64url')}.${Buffer.from('{"sub":"admin\' --"}').toString('base64url')}.sig`;
    const basic = Buffer.from("admin':secret").toString('base64');
    const a = values(parse({ headers: { authorization: `Bearer ${jwt}` } }).points);
    expect(a['header.authorization[jwt].sub']).toBe("admin' --");
    expect(a['header.authorization[jwt-header].kid']).toBe('../../k');
    const b = values(parse({ headers: { authorization: `Basic ${basic}` } }).points);
    expect(b['header.authorization[base64]']).toBe("admin':secret");
  });

  it('accepts array header values', () => {
    const r = parse({ headers: { 'x-a': ['one', 'two'] } });
    expect(r.points.map((p) => p.value)).toEqual(['one', 'two']);
  });
});

describe('header points cache (rememberHeaders)', () => {
  const request = (headers: Record<string, string>): HttpRequest => ({ method: 'GET', path: '/a', query: '', headers });
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"u1","role":"admin"}').toString('base64url')}.c2ln`;
  const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', cookie: 'sid=abc%27def; theme=dark', authorization: `Bearer ${jwt}`, accept: 'application/json' };

  it('gives the same points as parsing afresh, as the same objects on a hit', () => {
    const limits = mergeLimits({ timeBudgetMs: 10_000 });
    const fresh = parseRequest(request(headers), limits).points;
    const first = parseRequest(request(headers), limits, { rememberHeaders: true });
    const second = parseRequest(request(headers), limits, { rememberHeaders: true });
    expect(first.points).toEqual(fresh);
    expect(second.points).toEqual(fresh);
    expect(second.points.length).toBeGreaterThan(4); // cookies and the JWT's claims came back too
    // header and cookie points are the remembered objects; path points are made per request
    expect(second.points.filter((p) => p.source !== 'path').every((p) => first.points.includes(p))).toBe(true);
    expect(second.limits).toEqual(first.limits);
  });

  it('keeps one cache per limits object: peeling depth is not carried across routes', () => {
    const deep = mergeLimits({ timeBudgetMs: 10_000 });
    const flat = mergeLimits({ timeBudgetMs: 10_000, maxDecodeDepth: 0 });
    parseRequest(request(headers), deep, { rememberHeaders: true });
    const r = parseRequest(request(headers), flat, { rememberHeaders: true });
    expect(r.points.some((p) => p.path.includes('[jwt]'))).toBe(false);
    expect(r.limits.some((e) => e.kind === 'decode_depth_capped')).toBe(true);
  });

  it('does not remember a value whose parse raised a limit event: the event comes on every request', () => {
    const limits = mergeLimits({ timeBudgetMs: 10_000, maxPointBytes: 64 });
    const long = { 'x-note': 'n'.repeat(300) };
    for (let i = 0; i < 2; i++) {
      const r = parseRequest(request(long), limits, { rememberHeaders: true });
      expect(r.limits.map((e) => e.kind)).toContain('point_truncated');
      expect(r.points[r.points.length - 1].value).toHaveLength(64);
    }
  });

  it('still counts remembered points against maxPoints', () => {
    const limits = mergeLimits({ timeBudgetMs: 10_000, maxPoints: 4 });
    const cookie = 'a=1; b=2; c=3';
    const warm = parseRequest(request({ cookie }), limits, { rememberHeaders: true }); // path.0 + 3 cookies
    expect(warm.points).toHaveLength(4);
    expect(warm.limits).toEqual([]);
    const capped = parseRequest(request({ 'x-a': 'v', cookie }), limits, { rememberHeaders: true });
    expect(capped.points.map((p) => p.path)).toEqual(['path.0', 'header.x-a', 'cookie.a', 'cookie.b']);
    expect(capped.points[2]).toBe(warm.points[1]);
    expect(capped.limits.map((e) => e.kind)).toContain('points_capped');
  });
});
