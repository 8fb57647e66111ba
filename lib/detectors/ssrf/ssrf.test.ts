import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { parseIPv4, formatIPv4 } from './ipv4';
import { ssrfDetector } from './index';

const conf = (v: string, path = 'query.url', o: Partial<Point> = {}): number =>
  ssrfDetector.detect(createDetectorInput(makePoint(v, path, { name: path.split('.').pop(), ...o })))?.confidence ?? 0;

describe('parseIPv4', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
  ])('%s → %s', (h, ip) => expect(formatIPv4(parseIPv4(h) as number)).toBe(ip));
  it('rejects non-addresses', () => {
    expect(parseIPv4('example.com')).toBeNull();
    expect(parseIPv4('256.1.1.1')).toBeNull();
    expect(parseIPv4('1.2.3.4.5')).toBeNull();
  });
});

describe('ssrfDetector', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://100.100.100.200/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/',
    'http://127.0.0.1:6379/',
    'http://localhost/admin',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://10.0.0.5/internal',
    'http://192.168.1.1/',
    'https://trusted.example@127.0.0.1/',
    'http://127.0.0.1.nip.io/',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'dict://127.0.0.1:11211/stats',
    'file:///etc/passwd',
    'ldap://127.0.0.1/x',
    'http://evil.example#@127.0.0.1/',
    '%68%74%74%70://169.254.169.254/',
  ])('detects %s', (v) => expect(conf(v)).toBeGreaterThanOrEqual(0.5));

  it('detects a bare internal host in a URL-ish field', () => {
    expect(conf('127.0.0.1:8080', 'body.callback_url')).toBeGreaterThanOrEqual(0.5);
    expect(conf('169.254.169.254', 'body.anything')).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    ['https://cdn.example.com/avatar.png', 'query.avatar'],
    ['https://hooks.example.org/callback?id=1', 'body.webhook'],
    ['1279248', 'query.dest_id'],
    ['266', 'body.t_page'],
    ['127.0.0.1:8888', 'body.server_ip'],
    ['http://localhost:3000/page', 'header.referer'],
    ['wss://127.0.0.1:5903/', 'body.blocked-uri'],
    ['version 10.0.1 released', 'query.q'],
  ])('ignores %s in %s', (v, p) => expect(conf(v, p)).toBeLessThan(0.5));
});
