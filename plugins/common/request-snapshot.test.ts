import { FakeKong } from './testing/fake-pdk';
import { RequestSnapshot, announcesBody, parseCookies, parseQueryString, safeDecode } from './request-snapshot';

describe('RequestSnapshot', () => {
  it('readAll costs 4 RPCs without a body and 5 with one; repeated reads are free', async () => {
    const noBody = new FakeKong({ method: 'GET', target: '/a?x=1', headers: { host: 'h' }, ip: '192.0.2.1' });
    const s1 = new RequestSnapshot(noBody.kong);
    const d1 = await s1.readAll();
    expect(d1).toMatchObject({ method: 'GET', path: '/a', rawQuery: 'x=1', clientIp: '192.0.2.1' });
    expect(d1.body).toHaveLength(0);
    await s1.readAll();
    await s1.query();
    expect(noBody.rpcCount).toBe(4);
    expect(s1.rpcCount).toBe(4);

    const withBody = new FakeKong({ method: 'POST', target: '/b', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    const d2 = await new RequestSnapshot(withBody.kong).readAll();
    expect(Buffer.from(d2.body).toString()).toBe('{"a":1}');
    expect(withBody.rpcCount).toBe(5);
    expect(withBody.calls.find((c) => c.method === 'kong.request.get_raw_body')?.args).toEqual([1024 * 1024]);
  });

  it('does not fetch a body announced larger than the limit', async () => {
    const k = new FakeKong({ method: 'POST', headers: { 'content-length': '5000000' }, body: 'x' });
    const s = new RequestSnapshot(k.kong, { maxBodyBytes: 1000 });
    expect(await s.rawBody()).toHaveLength(0);
    expect(s.bodyTooLarge).toBe(true);
    expect(k.methods()).toEqual(['kong.request.get_headers']);
  });

  it('treats an empty-map [] from Kong as no headers, and survives hostile header names', async () => {
    const k = new FakeKong({ headers: JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string> });
    const h = await new RequestSnapshot(k.kong).headers();
    expect(h['constructor']).toEqual(['y']);
    expect(h['__proto__']).toEqual(['x']);
    expect(Object.getPrototypeOf(h)).toBeNull();
    const empty = new FakeKong({});
    expect(await new RequestSnapshot(empty.kong).headers()).toEqual({});
  });
});

describe('parsers', () => {
  it('parseQueryString decodes like nginx get_uri_args and keeps flags', () => {
    expect(parseQueryString('a=1&b=x+y&c=%41%zz&flag&=v&&d=')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y' },
      { name: 'c', value: 'A%zz' },
      { name: 'flag', value: undefined },
      { name: 'd', value: '' },
    ]);
    expect(parseQueryString('a=1&a=2&a=3', 2)).toHaveLength(2);
  });

  it('safeDecode never throws on broken escapes or invalid UTF-8', () => {
    expect(safeDecode('%E2%82%AC')).toBe('€');
    expect(safeDecode('%ff%fe')).toBe('\ufffd\ufffd');
    expect(safeDecode('%')).toBe('%');
  });

  it('parseCookies splits pairs and keeps duplicates', () => {
    const c = parseCookies(['a=1; b="two"; a=3', 'c=4']);
    expect(c.get('a')).toEqual(['1', '3']);
    expect(c.get('b')).toEqual(['two']);
    expect(c.get('c')).toEqual(['4']);
  });

  it('announcesBody', () => {
    expect(announcesBody({ 'content-length': ['0'] })).toBe(false);
    expect(announcesBody({ 'content-length': ['12'] })).toBe(true);
    expect(announcesBody({ 'transfer-encoding': ['chunked'] })).toBe(true);
    expect(announcesBody({})).toBe(false);
  });
});
