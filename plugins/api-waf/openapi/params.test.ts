import { cookiePairs, fromQuery, fromString, queryPairs, type ParamSpec } from './params';

const spec = (p: Partial<ParamSpec>): ParamSpec => ({ name: 'p', in: 'query', style: 'form', explode: true, kind: 'primitive', properties: [], json: false, ...p });

describe('parameter deserialization', () => {
  const q = queryPairs('p=1&p=2&c=a,b&s=a%20b&pipe=a|b&f[x]=1&f[y][z]=2&color=red&size=L&j=%7B%22a%22%3A1%7D&plus=a+b');

  it('form: exploded and comma arrays, exploded objects, primitives', () => {
    expect(fromQuery(spec({ kind: 'array' }), q)).toEqual({ present: true, value: ['1', '2'] });
    expect(fromQuery(spec({ name: 'c', kind: 'array', explode: false }), q)).toEqual({ present: true, value: ['a', 'b'] });
    expect(fromQuery(spec({ name: 'o', kind: 'object', properties: ['color', 'size', 'weight'] }), q)).toEqual({ present: true, value: { color: 'red', size: 'L' } });
    expect(fromQuery(spec({ name: 'c', kind: 'object', explode: false }), q)).toEqual({ present: true, value: { a: 'b' } });
    expect(fromQuery(spec({ name: 'plus' }), q)).toEqual({ present: true, value: 'a b' });
    expect(fromQuery(spec({ name: 'missing' }), q)).toEqual({ present: false });
    expect(fromQuery(spec({}), q)).toEqual({ present: true, error: 'is given 2 times; expected once' });
  });

  it('spaceDelimited, pipeDelimited, deepObject, JSON content', () => {
    expect(fromQuery(spec({ name: 's', kind: 'array', style: 'spaceDelimited', explode: false }), q)).toEqual({ present: true, value: ['a', 'b'] });
    expect(fromQuery(spec({ name: 'pipe', kind: 'array', style: 'pipeDelimited', explode: false }), q)).toEqual({ present: true, value: ['a', 'b'] });
    expect(fromQuery(spec({ name: 'f', kind: 'object', style: 'deepObject' }), q)).toEqual({ present: true, value: { x: '1', y: { z: '2' } } });
    expect(fromQuery(spec({ name: 'j', json: true }), q)).toEqual({ present: true, value: { a: 1 } });
    expect(fromQuery(spec({ name: 'plus', json: true }), q)).toEqual({ present: true, error: 'is not valid JSON' });
  });

  it('simple (headers, path), label and matrix', () => {
    expect(fromString(spec({ in: 'header', style: 'simple', kind: 'array' }), 'a, b ,c')).toEqual({ present: true, value: ['a', 'b', 'c'] });
    expect(fromString(spec({ in: 'path', style: 'simple', kind: 'object', explode: false }), 'role,admin,x,1')).toEqual({ present: true, value: { role: 'admin', x: '1' } });
    expect(fromString(spec({ in: 'path', style: 'simple', kind: 'object', explode: true }), 'role=admin,x=1')).toEqual({ present: true, value: { role: 'admin', x: '1' } });
    expect(fromString(spec({ in: 'path', style: 'label', kind: 'array', explode: true }), '.a.b')).toEqual({ present: true, value: ['a', 'b'] });
    expect(fromString(spec({ name: 'id', in: 'path', style: 'matrix', kind: 'array', explode: true }), ';id=3;id=4')).toEqual({ present: true, value: ['3', '4'] });
    expect(fromString(spec({ in: 'header' }), undefined)).toEqual({ present: false });
  });

  it('cookies: first value wins, quotes removed', () => {
    expect(cookiePairs(['a=1; b="two"', 'a=3'])).toEqual(new Map([['a', '1'], ['b', 'two']]));
  });
});
