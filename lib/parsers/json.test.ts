import { keys, parse, values } from './testing';

const json = (body: unknown, ct = 'application/json') => parse({ method: 'POST', headers: { 'content-type': ct }, bodyText: typeof body === 'string' ? body : JSON.stringify(body) });

describe('JSON body parser', () => {
  it('names values by path, arrays by index, skips numbers and booleans', () => {
    const r = json({ user: { name: "o'brien", age: 3, admin: false }, items: [{ name: 'a' }, { name: 'b' }] });
    expect(values(r.points)).toEqual({ 'body.json.user.name': "o'brien", 'body.json.items.0.name': 'a', 'body.json.items.1.name': 'b' });
    expect(r.parse.bodyKind).toBe('json');
    expect(r.points[0].name).toBe('name');
  });

  it('emits operator-like keys as key points', () => {
    const r = json({ username: { $ne: null }, 'a b': 'x' });
    expect(keys(r.points)).toEqual(['body.json.username.$ne=$ne', 'body.json.a b=a b']);
  });

  it('malformed JSON is a parse_error and its text is inspected', () => {
    const r = json('{"a": "x\' or 1=1 --", ');
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
    expect(values(r.points)['body.json.raw']).toContain("or 1=1");
  });

  it('caps depth but still inspects deep values', () => {
    let deep: unknown = 'needle';
    for (let i = 0; i < 50; i++) deep = { k: deep };
    const r = json(deep, 'application/json');
    expect(r.limits.some((l) => l.kind === 'depth_capped')).toBe(true);
    expect(r.points.map((p) => p.value)).toContain('needle');
  });

  it('handles 10k-deep arrays without recursion', () => {
    const r = json('['.repeat(10000) + '"x"' + ']'.repeat(10000));
    expect(r.points.map((p) => p.value)).toEqual(['x']);
  });

  it('sniffs JSON without a content type and parses +json types', () => {
    expect(values(parse({ method: 'POST', bodyText: '{"a":"b"}' }).points)).toEqual({ 'body.json.a': 'b' });
    expect(values(json({ a: 'b' }, 'application/vnd.api+json').points)).toEqual({ 'body.json.a': 'b' });
  });

  it('parses ndjson line by line', () => {
    expect(values(json('{"a":"x"}\n{"a":"y"}', 'application/x-ndjson').points)).toEqual({ 'body.json.0.a': 'x', 'body.json.1.a': 'y' });
  });

  it('reports truncated values', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify({ a: 'x'.repeat(500) }) }, { maxPointBytes: 100 });
    expect(r.points[0].value.length).toBe(100);
    expect(r.points[0].truncated).toBe(true);
    expect(r.limits.find((l) => l.kind === 'point_truncated')?.point).toBe('body.json.a');
  });

  it('caps points and reports it', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify(Array.from({ length: 50 }, (_, i) => `v${i}`)) }, { maxPoints: 10 });
    expect(r.points.length).toBe(10);
    expect(r.limits.some((l) => l.kind === 'points_capped')).toBe(true);
  });
});

describe('nested encodings', () => {
  it('peels JSON in a string, base64 JSON and query strings in values', () => {
    const b64 = Buffer.from(JSON.stringify({ user: "x' or '1'='1" })).toString('base64');
    const r = parse({ query: `data=${encodeURIComponent('{"id":"<svg onload=1>"}')}&token=${b64}&next=${encodeURIComponent('/login?redirect=//evil.example&x=1')}` });
    const v = values(r.points);
    expect(v['query.data[json].id']).toBe('<svg onload=1>');
    expect(v['query.token[base64].user']).toBe("x' or '1'='1");
    expect(v['query.next[query].redirect']).toBe('//evil.example');
    expect(r.points.find((p) => p.path === 'query.token[base64].user')?.encodings).toEqual(['base64', 'json']);
  });

  it('adds a decoded point for JavaScript escapes and HTML references that stand for ASCII', () => {
    const r = json({ a: '\\u0027 OR 1=1--', b: '&#39; OR 1=1--', c: '\\x3cscript\\x3e', d: 'caf\\u00e9', e: 'Tom &amp; Jerry', f: 'a\\nb' });
    const v = values(r.points);
    expect(v['body.json.a[js]']).toBe("' OR 1=1--");
    expect(v['body.json.b[html]']).toBe("' OR 1=1--");
    expect(v['body.json.c[js]']).toBe('<script>');
    expect(r.points.find((p) => p.path === 'body.json.a[js]')?.encodings).toEqual(['js']);
    // escapes of non-ASCII letters and plain newlines are how JSON carries text: no second point
    expect(v['body.json.d[js]']).toBeUndefined();
    expect(v['body.json.f[js]']).toBeUndefined();
    expect(v['body.json.e[html]']).toBe('Tom & Jerry');
  });

  it('peels short base64 only when it decodes to symbol-bearing ASCII', () => {
    const v = values(parse({ query: 'a=e3s3Kjd9fQ&b=SGVsbG8xMjM&c=dXNlcjEyMzQ' }).points);
    expect(v['query.a[base64]']).toBe('{{7*7}}');
    expect(v['query.b[base64]']).toBeUndefined(); // "Hello123"
    expect(v['query.c[base64]']).toBeUndefined(); // "user1234"
  });

  it('stops at maxDecodeDepth and reports it', () => {
    let v = 'cat /etc/passwd; id';
    for (let i = 0; i < 5; i++) v = Buffer.from(v).toString('base64');
    const r = parse({ query: `x=${encodeURIComponent(v)}` }, { maxDecodeDepth: 2 });
    expect(r.points.length).toBe(3);
    expect(r.limits.some((l) => l.kind === 'decode_depth_capped')).toBe(true);
    const full = parse({ query: `x=${encodeURIComponent(v)}` }, { maxDecodeDepth: 8 });
    expect(full.points.map((p) => p.value)).toContain('cat /etc/passwd; id');
  });

  it('leaves ordinary words and binary base64 alone', () => {
    const bin = Buffer.from([0, 1, 2, 250, 251, 252, 3, 4, 5, 6, 7, 8, 9, 10, 200, 201]).toString('base64');
    const r = parse({ query: `a=Authorization&b=${encodeURIComponent(bin)}&c=hello%3Dworld` });
    expect(r.points.map((p) => p.path).sort()).toEqual(['query.a', 'query.b', 'query.c']);
  });
});
