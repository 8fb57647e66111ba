import { inspect } from '../inspect';
import { decodeCharset } from './charset';
import { IBM037, IBM500 } from './ebcdic';
import { parse, values } from './testing';

function utf16be(s: string): Buffer {
  return Buffer.from(s, 'utf16le').swap16();
}

function utf32(s: string, littleEndian: boolean): Buffer {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (littleEndian ? b.writeUInt32LE(cp, i * 4) : b.writeUInt32BE(cp, i * 4)));
  return b;
}

function ebcdic(s: string, table: string): Buffer {
  return Buffer.from([...s].map((c) => {
    const b = table.indexOf(c);
    if (b < 0) throw new Error(`no EBCDIC byte for ${c}`);
    return b;
  }));
}

const text = (r: ReturnType<typeof decodeCharset>): string | null => (r !== null && 'text' in r ? r.text : null);

describe('decodeCharset', () => {
  const json = '{"q":"1\' or 1=1-- é ☃ 😀"}';

  it('reads byte-order marks, whatever the declared charset', () => {
    expect(decodeCharset(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]), undefined)).toEqual({ text: json, charset: 'utf-16le', how: 'bom' });
    expect(text(decodeCharset(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(json)]), 'utf-8'))).toBe(json);
    expect(text(decodeCharset(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32(json, true)]), undefined))).toBe(json);
    expect(text(decodeCharset(Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32(json, false)]), undefined))).toBe(json);
  });

  it('leaves UTF-8 (with or without a BOM, declared or not) to the caller', () => {
    expect(decodeCharset(Buffer.from(json), undefined)).toBeNull();
    expect(decodeCharset(Buffer.from(json), 'UTF-8')).toBeNull();
    expect(decodeCharset(Buffer.from(json), 'us-ascii')).toBeNull();
    expect(decodeCharset(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), undefined)).toBeNull();
  });

  it('reads declared charsets', () => {
    expect(text(decodeCharset(Buffer.from(json, 'utf16le'), 'utf-16le'))).toBe(json);
    expect(text(decodeCharset(utf16be(json), 'UTF-16BE'))).toBe(json);
    expect(text(decodeCharset(utf32(json, false), 'utf-32'))).toBe(json);
    expect(text(decodeCharset(utf32(json, true), 'utf-32le'))).toBe(json);
    expect(text(decodeCharset(Buffer.from([0x93, 0x61, 0x94]), 'windows-1252'))).toBe('\u201ca\u201d');
    expect(text(decodeCharset(Buffer.from([0xe9]), 'iso-8859-1'))).toBe('é');
  });

  it('takes the byte order of an undeclared-order utf-16 from its zero bytes, big-endian by default', () => {
    expect(text(decodeCharset(Buffer.from(json, 'utf16le'), 'utf-16'))).toBe(json);
    expect(text(decodeCharset(utf16be(json), 'utf-16'))).toBe(json);
  });

  it('reads EBCDIC as IIS does for charset=ibm037 / ibm500', () => {
    const form = "q=1' union select password from users--";
    expect(text(decodeCharset(ebcdic(form, IBM037), 'ibm037'))).toBe(form);
    expect(text(decodeCharset(ebcdic(form, IBM037), 'cp037'))).toBe(form);
    expect(text(decodeCharset(ebcdic('<a>[x]</a>', IBM500), 'IBM500'))).toBe('<a>[x]</a>');
  });

  it('detects undeclared UTF-16/32 by the zero bytes JSON and XML parsers go by', () => {
    expect(decodeCharset(Buffer.from(json, 'utf16le'), undefined)).toEqual({ text: json, charset: 'utf-16le', how: 'detected' });
    expect(text(decodeCharset(utf16be(json), undefined))).toBe(json);
    expect(text(decodeCharset(utf32(json, true), undefined))).toBe(json);
    expect(text(decodeCharset(utf32(json, false), undefined))).toBe(json);
    expect(text(decodeCharset(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a>x</a>', 'utf16le'), undefined))).toContain('<a>x</a>');
  });

  it('does not turn binary that starts with zero bytes into text', () => {
    // protobuf: field 1 = 0, field 2 = 0, then bytes that are no text in any order
    const bin = Buffer.from([0x08, 0x00, 0x10, 0x00, 0x1a, 0x04, 0x01, 0x02, 0x03, 0x04, 0x20, 0x01, 0x05, 0x06, 0x07, 0x0e]);
    expect(decodeCharset(bin, undefined)).toBeNull();
  });

  it('names a charset it cannot read, and never throws on odd lengths', () => {
    expect(decodeCharset(Buffer.from('abc'), 'x-made-up')).toEqual({ unknown: 'x-made-up' });
    expect(() => decodeCharset(Buffer.from([0x41, 0x00, 0x42]), 'utf-16le')).not.toThrow();
    expect(text(decodeCharset(Buffer.from([0x41, 0x00, 0x00, 0x00, 0x42]), 'utf-32le'))).toBe('A\ufffd');
    expect(text(decodeCharset(Buffer.from([0xff, 0xff, 0xff, 0xff]), 'utf-32le'))).toBe('\ufffd');
  });
});

describe('bodies in other charsets, through the request parser', () => {
  const payload = "1' union select password from users--";

  it('finds the JSON points of a UTF-16 body declared as such, or sent with no content type', () => {
    const declared = parse({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(JSON.stringify({ q: payload }), 'utf16le') });
    expect(values(declared.points)['body.json.q']).toBe(payload);
    const bare = parse({ method: 'POST', headers: {}, body: utf16be(JSON.stringify({ q: payload })) });
    expect(bare.parse.bodyKind).toBe('json');
    expect(values(bare.points)['body.json.q']).toBe(payload);
  });

  it('reads a multipart part in its own charset, files included', () => {
    const part = (headers: string, content: Buffer): Buffer => Buffer.concat([Buffer.from(`--XX\r\n${headers}\r\n\r\n`), content, Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=utf-16le', Buffer.from(payload, 'utf16le')),
      part('Content-Disposition: form-data; name="f"; filename="a.json"\r\nContent-Type: application/json', utf16be(JSON.stringify({ q: payload }))),
      Buffer.from('--XX--\r\n'),
    ]);
    const r = parse({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XX' }, body });
    expect(values(r.points)['body.multipart.q']).toBe(payload);
    expect(values(r.points)['body.multipart.f.q']).toBe(payload);
  });

  it('reads an EBCDIC form', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=ibm037' }, body: ebcdic(`q=${encodeURIComponent(payload)}`, IBM037) });
    expect(values(r.points)['body.form.q']).toBe(payload);
  });

  it('reports a charset it cannot read and inspects the bytes as UTF-8', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'text/plain; charset=x-unknown-7' }, bodyText: payload });
    expect(r.limits.some((l) => l.kind === 'parse_error' && /x-unknown-7/.test(l.detail))).toBe(true);
    expect(r.points.some((p) => p.value === payload)).toBe(true);
  });

  it('finds the attack in a UTF-16 JSON body', () => {
    const v = inspect({ method: 'POST', path: '/api', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ q: payload }), 'utf16le') });
    expect(v.types).toContain('sqli');
  });
});
