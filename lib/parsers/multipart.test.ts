import { decodeQuotedPrintable, parseMediaType } from './multipart';
import { keys, parse, values } from './testing';

function multipart(parts: string[], boundary = 'XyZ123'): { headers: Record<string, string>; body: Buffer } {
  const body = parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`;
  return { headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` }, body: Buffer.from(body) };
}

describe('multipart parser', () => {
  it('gives fields, filenames and textual file contents', () => {
    const m = multipart([
      'Content-Disposition: form-data; name="comment"\r\n\r\nhello\r\nworld',
      'Content-Disposition: form-data; name="avatar"; filename="../../shell.php"\r\nContent-Type: text/plain\r\n\r\n<?php system($_GET[1]); ?>',
      'Content-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{"title":"t"}',
      'Content-Disposition: form-data; name="bin"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x00\x01\x02\x03\x04\x05\x06\x07',
      'Content-Disposition: form-data; name="x[$gt]"\r\n\r\n1',
    ]);
    const r = parse({ method: 'POST', ...m });
    const v = values(r.points);
    expect(v['body.multipart.comment']).toBe('hello\r\nworld');
    expect(v['body.multipart.avatar.filename']).toBe('../../shell.php');
    expect(v['body.multipart.avatar']).toBe('<?php system($_GET[1]); ?>');
    expect(v['body.multipart.meta.title']).toBe('t');
    expect(v['body.multipart.bin']).toBeUndefined();
    expect(v['body.multipart.bin.filename']).toBe('a.png');
    expect(keys(r.points)).toContain('body.multipart.x[$gt]=x[$gt]');
    expect(r.parse.bodyKind).toBe('multipart');
    expect(r.limits).toEqual([]);
  });

  it('undoes base64 and quoted-printable Content-Transfer-Encoding', () => {
    const part = (name: string, coding: string, content: string): string =>
      `--XX\r\nContent-Disposition: form-data; name="${name}"\r\nContent-Transfer-Encoding: ${coding}\r\n\r\n${content}\r\n`;
    const body = part('b', 'base64', Buffer.from("1' or '1'='1").toString('base64')) +
      part('q', 'Quoted-Printable', '=3Cscript=3Ealert(1)=3C/scr=\r\nipt=3E a=3Db =ZZ') + part('p', '8bit', '=3C') + '--XX--\r\n';
    const r = parse({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XX' }, bodyText: body });
    expect(values(r.points)).toMatchObject({ 'body.multipart.b': "1' or '1'='1", 'body.multipart.q': '<script>alert(1)</script> a=b =ZZ', 'body.multipart.p': '=3C' });
    expect(Buffer.from(decodeQuotedPrintable(Buffer.from('x=\ny=4'))).toString()).toBe('xy=4');
  });

  it('decodes RFC 5987 filenames', () => {
    const m = multipart(["Content-Disposition: form-data; name=f; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd\r\n\r\nx"]);
    expect(values(parse({ method: 'POST', ...m }).points)['body.multipart.f.filename']).toBe('../../etc/passwd');
  });

  it('reports a missing boundary and inspects the body as text', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'multipart/form-data' }, bodyText: 'a=<script>' });
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
    expect(r.points.map((p) => p.value)).toContain('a=<script>');
  });

  it('reports an unterminated body but keeps its parts', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, bodyText: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue' });
    expect(values(r.points)['body.multipart.a']).toBe('value');
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
  });

  it('parseMediaType handles quoted parameters with semicolons', () => {
    expect(parseMediaType('Form-Data; name="a;b"; filename="c"')).toEqual({ type: 'form-data', params: { name: 'a;b', filename: 'c' } });
  });
});

describe('multipart file names keep their backslashes', () => {
  it('unescapes only \\" in quoted parameters (browsers percent-encode instead; IE sent Windows paths)', () => {
    expect(parseMediaType('form-data; name="f"; filename="C:\\Users\\dana\\report.txt"').params.filename).toBe('C:\\Users\\dana\\report.txt');
    expect(parseMediaType('form-data; name="f"; filename="a \\"quoted\\" name.txt"').params.filename).toBe('a "quoted" name.txt');
    expect(parseMediaType('form-data; name="f"; filename="..\\..\\windows\\win.ini"').params.filename).toBe('..\\..\\windows\\win.ini');
  });
});
