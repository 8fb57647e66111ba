import { isTokenSyntax } from './headers';
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
