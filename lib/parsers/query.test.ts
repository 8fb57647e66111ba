import { bracketPath, splitQuery } from './query';
import { keys, parse, values } from './testing';

describe('query parser', () => {
  it('decodes + and percent escapes, keeps duplicates', () => {
    const r = parse({ query: 'q=a+b%20c&q=second&empty=&flag' });
    const qs = r.points.filter((p) => p.path === 'query.q').map((p) => p.value);
    expect(qs).toEqual(['a b c', 'second']);
    expect(values(r.points)['query.empty']).toBeUndefined();
    expect(r.points.every((p) => p.source === 'query')).toBe(true);
  });

  it('adds every repeated parameter joined with commas, as ASP.NET reads it', () => {
    const r = parse({ query: 'q=a&x=1&q=b&q=&t[]=1&t[]=2&once=z' });
    expect(values(r.points)['query.q[joined]']).toBe('a,b,');
    expect(values(r.points)['query.t[joined]']).toBe('1,2');
    expect(values(r.points)['query.once[joined]']).toBeUndefined();
    expect(r.points.find((p) => p.path === 'query.q[joined]')?.encodings).toEqual(['joined']);
    // many parameters go through a map instead of pairwise comparison: same result
    const many = Array.from({ length: 40 }, (_, i) => `p${i}=v`).join('&');
    const big = parse({ query: `${many}&p3=w&p7=u` });
    expect(values(big.points)['query.p3[joined]']).toBe('v,w');
    expect(values(big.points)['query.p7[joined]']).toBe('v,u');
    expect(big.points.filter((p) => p.path.endsWith('[joined]'))).toHaveLength(2);
    // a form body too
    const form = parse({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, bodyText: 'c=1&c=2' });
    expect(values(form.points)['body.form.c[joined]']).toBe('1,2');
  });

  it('splits bracket names and reports non-identifier names as key points', () => {
    const r = parse({ query: 'user%5B%24ne%5D=1&filter[a][b]=x&list[]=y' });
    expect(values(r.points)).toMatchObject({ 'query.user.$ne': '1', 'query.filter.a.b': 'x', 'query.list': 'y' });
    expect(keys(r.points)).toContain('query.user.$ne=user[$ne]');
    const p = r.points.find((x) => x.path === 'query.filter.a.b' && !x.isKey);
    expect(p?.name).toBe('b');
  });

  it('does not emit plain names as key points', () => {
    expect(keys(parse({ query: 'page=2&sort_by=name' }).points)).toEqual([]);
  });

  it('decodes invalid escapes leniently', () => {
    expect(splitQuery('a=%zz%41%')).toEqual([{ name: 'a', value: '%zzA%' }]);
    expect(splitQuery('a=%C0%AE%C0%AE')).toEqual([{ name: 'a', value: '..' }]);
  });

  it('bracketPath leaves malformed names alone', () => {
    expect(bracketPath('a[b')).toEqual({ path: 'a[b', name: 'a[b' });
    expect(bracketPath('[x]')).toEqual({ path: '[x]', name: '[x]' });
    expect(bracketPath('a[b]c')).toEqual({ path: 'a[b]c', name: 'a[b]c' });
  });
});

describe('path parser', () => {
  it('gives decoded segments and the whole path when it has traversal shape', () => {
    const r = parse({ path: '/api/users/o%27brien/..%2f..%2fetc' });
    const v = values(r.points);
    expect(v['path.0']).toBe('api');
    expect(v['path.2']).toBe("o'brien");
    expect(v['path.3']).toBe('../../etc');
    expect(v.path).toBe("/api/users/o'brien/../../etc");
  });

  it('does not add the whole path for ordinary paths', () => {
    expect(values(parse({ path: '/api/v1/items/42' }).points).path).toBeUndefined();
  });
});
