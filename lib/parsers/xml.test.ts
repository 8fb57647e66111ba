import { decodeXmlText } from './xml';
import { parse, values } from './testing';

const xml = (text: string, ct = 'application/xml') => parse({ method: 'POST', headers: { 'content-type': ct }, bodyText: text });

describe('XML parser', () => {
  it('gives element text and attributes by path, namespace prefixes dropped', () => {
    const r = xml('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><login id="7&amp;8"><user>o&apos;brien</user><pass><![CDATA[a<b]]></pass></login></soap:Body></soap:Envelope>', 'application/soap+xml');
    expect(values(r.points)).toEqual({
      'body.xml.Envelope.Body.login.@id': '7&8',
      'body.xml.Envelope.Body.login.user': "o'brien",
      'body.xml.Envelope.Body.login.pass': 'a<b',
    });
    expect(r.parse.bodyKind).toBe('xml');
  });

  it('surfaces DOCTYPE with its internal subset and never expands entities', () => {
    const doc = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
    const v = values(xml(doc).points);
    expect(v['body.xml.!doctype']).toBe('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    expect(v['body.xml.foo']).toBe('&xxe;');
  });

  it('reports malformed XML and still inspects the rest', () => {
    const r = xml('<a><b>text</b><c attr="x');
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
    expect(values(r.points)['body.xml.a.b']).toBe('text');
    expect(values(r.points)['body.xml.raw']).toBe('<c attr="x');
  });

  it('caps depth', () => {
    const r = xml('<a>'.repeat(100) + 'deep' + '</a>'.repeat(100));
    expect(r.limits.some((l) => l.kind === 'depth_capped')).toBe(true);
    expect(r.points.map((p) => p.value)).toEqual(['deep']);
  });

  it('decodes predefined entities and character references only', () => {
    expect(decodeXmlText('&lt;&#x3c;&#60;&foo;&amp;lt;')).toBe('<<<&foo;&lt;');
  });
});
