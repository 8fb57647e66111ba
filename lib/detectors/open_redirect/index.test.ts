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
