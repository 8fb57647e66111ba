import { charMask, plainMask } from '../../features';
import { mayBePath } from './grammar';
import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { pathTraversalDetector } from './index';
import { normalizePath } from './normalize';
import { decodePathValue } from './decode';

function conf(value: string, path = 'query.file', overrides: Partial<Point> = {}): number {
  const d = pathTraversalDetector.detect(createDetectorInput(makePoint(value, path, overrides)));
  return d === null ? 0 : d.confidence;
}

describe('path normalisation', () => {
  it('folds separators, look-alikes and lenient escapes', () => {
    expect(normalizePath(decodePathValue('..%c0%af..%c1%9cetc'))).toBe('../../etc');
    expect(normalizePath(decodePathValue('%uff0e%uff0e%u2215x'))).toBe('../x');
    expect(normalizePath(decodePathValue('%%32%65%%32%65%%32%66'))).toBe('../');
    expect(normalizePath(decodePathValue('%f8%80%80%80%ae%f8%80%80%80%ae%c1%1c'))).toBe('../');
    expect(normalizePath('0x2e0x2e0x2fEtc')).toBe('../etc');
  });
});

describe('pathTraversalDetector', () => {
  it.each([
    '../../../../etc/passwd',
    '..\\..\\..\\windows\\win.ini',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%252e%252e%252f%252e%252e%252fboot.ini',
    '..%c0%af..%c0%afetc%c0%afpasswd',
    '%c0%ae%c0%ae/%c0%ae%c0%ae/etc/shadow',
    '%uff0e%uff0e%u2215%uff0e%uff0e%u2215etc%u2215passwd',
    '....//....//....//etc/passwd',
    '..;/..;/WEB-INF/web.xml',
    '../../../../etc/passwd%00.png',
    '/..%c0%af../..%c0%af../etc/passwd',
    '..0x2f..0x2fboot.ini',
    '.%00./.%00./etc/issue',
    '/proc/self/environ',
    '/etc/shadow',
    'C:\\boot.ini',
    'c:/windows/system32/config/sam',
    '\\\\localhost\\c$\\windows\\win.ini',
    'php://filter/convert.base64-encode/resource=index.php',
    'php://input',
    'expect://id',
    'zip://shell.jpg#payload.php',
    'phar://upload/x.phar',
    'file:///etc/passwd',
    'data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWzBdKTs/Pg==',
    '/var/log/apache2/access.log',
    '../../.git/config',
    '/.env',
    '/../../../{FILE}',
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    '/images/a/../b.png',
    '../images/a.png',
    'https://example.com/a/b/../c?x=1',
    'pages 1..5',
    'wait... what?',
    'v1.2...v1.4',
    'see section 3.1.2',
    '/home/0,7340,l-8,00.html',
    '/api/v1/users/42',
    'C:\\fakepath\\photo.jpg',
    'image/png',
    'en-US,en;q=0.9',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36',
    'https://example.com/etc/passwd-strength-tips',
    'data:image/png;base64,iVBORw0KGgo=',
  ])('ignores benign %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });

  it('weights a file name in a path segment point lower than in a parameter', () => {
    expect(conf('config.php', 'path.1')).toBeLessThan(0.5);
  });
});

describe('mayBePath with the point masks', () => {
  it('answers as the searching form does', () => {
    const values = ['dana@example.com', 'boot.ini', '../../etc/passwd', 'a/b', 'c:\\x', '%2e%2e', '0x2e0x2e', '0X2F', 'SKU-1000', 'x'.repeat(80) + '.y',
      'x'.repeat(80) + '..y', 'photo．jpg', 'ｆｏｏ', 'v1.2.3', 'hello world', 'php://filter', '4.5', '.htaccess', ''];
    for (const v of values) expect([v, mayBePath(v, charMask(v), plainMask(v))]).toEqual([v, mayBePath(v)]);
  });
});
