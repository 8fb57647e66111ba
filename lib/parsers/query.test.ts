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
