import { createDetectorInput, makePoint } from '../../detector-input';
import { openRedirectDetector } from './index';
import { resolveRedirectTarget } from './url-target';

const conf = (value: string, name = 'next'): number =>
  openRedirectDetector.detect(createDetectorInput(makePoint(value, `query.${name}`, { name })))?.confidence ?? 0;

describe('resolveRedirectTarget', () => {
  it('resolves scheme-relative and backslash forms to the other host', () => {
    expect(resolveRedirectTarget('//evil.example/x')).toMatchObject({ kind: 'offsite', host: 'evil.example', form: 'scheme-relative' });
    expect(resolveRedirectTarget('/\\evil.example')).toMatchObject({ kind: 'offsite', host: 'evil.example' });
    expect(resolveRedirectTarget('/account/settings')).toMatchObject({ kind: 'local' });
    expect(resolveRedirectTarget('hello world')).toBeNull();
  });

  it('names the tricks', () => {
    expect(resolveRedirectTarget('http://trusted.example@evil.example')!.tricks).toContain('userinfo');
    expect(resolveRedirectTarget('http://0xd8.0x3a.0xd6.0xce')!.tricks).toContain('numeric-ip');
    expect(resolveRedirectTarget('https:evil.example')!.tricks).toContain('missing-slashes');
  });
});

describe('openRedirectDetector attacks (redirect-like parameter)', () => {
  it.each([
    '//evil.example',
    '///evil.example/%2f..',
    '/\\evil.example',
    '\\/\\/evil.example/',
    '/%09/evil.example',
    'https:evil.example',
    'https:///evil.example',
    'http://trusted.example@evil.example',
    'http://evil.example:80#@trusted.example/',
    'http://3627734734',
    'http://0330.072.0326.0316',
    '〱evil.example',
    '//evil%E3%80%82example',
    'javascript:alert(1)',
    '/javascript:alert(1)',
    '\\x6A\\x61\\x76\\x61\\x73\\x63\\x72\\x69\\x70\\x74\\x3aalert(1)',
    '%2F%2Fevil.example',
    '%68%74%74%70%3a%2f%2f%65%76%69%6c%2e%65%78%61%6d%70%6c%65',
    '/https://evil.example',
    '/redirect?url=//evil.example',
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it('treats obfuscation as an attack even outside redirect-like names', () => {
    expect(conf('http://trusted.example@evil.example', 'q')).toBeGreaterThanOrEqual(0.5);
    expect(conf('/\\evil.example', 'q')).toBeGreaterThanOrEqual(0.5);
  });
});

describe('openRedirectDetector benign', () => {
  it('scores a plain absolute URL in a redirect parameter as suspicious only', () => {
    const c = conf('https://app.example.com/oauth/callback', 'redirect_uri');
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(0.5);
  });

  it.each([
    ['/account/settings', 'next'],
    ['https://www.example.com/page?a=1', 'url'],
    ['https%3A%2F%2Fsecure.example.com%2Forder', 'referer'],
    ['https:&#47;&#47;www.example.com&#47;', 'ref_url'],
    ['//catalog01/en_GB', 'scope'],
    ['javascript:void(0)', 'link_url'],
    ['javascript:;', 'link_url'],
    ['data:image/png;base64,AAAA', 'url'],
    ['12:30', 'time'],
    ['https://cdn.example.com/a.js', 'src'],
  ])('leaves %s in %s', (value, name) => {
    expect(conf(value, name)).toBeLessThan(0.5);
  });
});

describe('openRedirectDetector: encoded dot segments and look-alike path segments', () => {
  const at = (value: string, point: Partial<Parameters<typeof makePoint>[2]> & { path: string }): number =>
    openRedirectDetector.detect(createDetectorInput(makePoint(value, point.path, point)))?.confidence ?? 0;

  it('treats an encoded `..` after an offsite host as a trick, even in an unnamed field', () => {
    for (const v of ['//evil.example/%2f..', '//evil.example/%2e%2e%2f', '//evil.example/%252e%252e/']) {
      expect({ v, c: at(v, { path: 'grpc.field.2.3', source: 'grpc' }) >= 0.5 }).toEqual({ v, c: true });
    }
    // without the encoded dot segment an unnamed scheme-relative URL stays a hint
    expect(at('//evil.example/a/b', { path: 'grpc.field.2.3', source: 'grpc' })).toBeLessThan(0.5);
    expect(at('//cdn.example.com/a/../b.png', { path: 'grpc.field.2.3', source: 'grpc' })).toBeLessThan(0.5);
  });

  it('flags a host-named first segment with an encoded dot segment in a redirect parameter only', () => {
    expect(conf('/evil.example/%2f%2e%2e')).toBeGreaterThanOrEqual(0.5);
    expect(conf('/evil.example/%2f%2e%2e', 'comment')).toBe(0);
    expect(conf('/docs/%2e%2e/guide')).toBe(0);
    expect(conf('/static/app.min.js')).toBe(0);
  });

  it('reads a path segment opening with a slash look-alike and a host as a URL', () => {
    for (const v of ['\u3031evil.example', '\uff70evil.example', '\u3035evil.example/x']) {
      expect({ v, c: at(v, { path: 'path.3', source: 'path' }) >= 0.5 }).toEqual({ v, c: true });
    }
    for (const v of ['\u30fc\u30d2\u30fc', '\u30fcabc', 'coffee.html']) expect(at(v, { path: 'path.3', source: 'path' })).toBe(0);
  });
});

describe('openRedirectDetector: parameter spray in an embedded link', () => {
  it('flags one link giving several redirect names an offsite URL, not one return link', () => {
    expect(conf('/?url=http://evil.example&next=http://evil.example&redirect=http://evil.example')).toBeGreaterThanOrEqual(0.5);
    expect(conf('/login?next=https://app.example.com/home')).toBeLessThan(0.5);
    expect(conf('/search?q=a&url=https://a.example&page=2')).toBeLessThan(0.5);
  });

  it('reads a host-named first segment with an encoded dot segment in a path segment', () => {
    const c = openRedirectDetector.detect(createDetectorInput(makePoint('/evil.example/%2f%2e%2e', 'path.3', { source: 'path' })))?.confidence ?? 0;
    expect(c).toBeGreaterThanOrEqual(0.5);
  });
});

describe('openRedirectDetector: OAuth chains are not a spray', () => {
  it('leaves a redirect link whose unencoded inner URL carries its own redirect parameters', () => {
    expect(conf('/redirecturl?goto=https://auth.example.com:443/am/oauth2/authorize?client_id=shop&redirect_uri=https://www.example.com/cb&return_to=https://www.example.com/account', 'request')).toBeLessThan(0.5);
  });
});
