import { PathMatcher, splitPath } from './paths';

describe('PathMatcher', () => {
  const m = new PathMatcher<string>();
  for (const t of ['/', '/orders', '/orders/search', '/orders/{id}', '/orders/{orderId}/items/{n}', '/files/{name}.{ext}', '/files/{name}', '/a/{x}/c', '/a/b/{y}']) m.add(t, t);
  const match = (p: string) => m.match(splitPath(p));

  it('concrete before templated, names from the matched template', () => {
    expect(match('/orders/search')?.template).toBe('/orders/search');
    expect(match('/orders/42')).toEqual({ item: '/orders/{id}', template: '/orders/{id}', params: { id: '42' } });
    expect(match('/orders/42/items/3')?.params).toEqual({ orderId: '42', n: '3' });
    expect(match('/')?.template).toBe('/');
  });

  it('several parameters in one segment; more literal text first', () => {
    expect(match('/files/report.v2.pdf')?.params).toEqual({ name: 'report', ext: 'v2.pdf' });
    expect(match('/files/readme')?.params).toEqual({ name: 'readme' });
  });

  it('backtracks from a literal branch that dead-ends', () => {
    expect(match('/a/b/c')?.template).toBe('/a/b/{y}');
    expect(match('/a/q/c')?.params).toEqual({ x: 'q' });
  });

  it('percent-decodes segments; tolerates one trailing slash; no empty parameter values', () => {
    expect(match('/orders/a%20b')?.params).toEqual({ id: 'a b' });
    expect(match('/orders/')?.template).toBe('/orders');
    expect(match('/orders//items/1')).toBeNull();
    expect(match('/nope')).toBeNull();
    expect(match(`/${'a/'.repeat(500)}`)).toBeNull();
  });

  it('refuses malformed and duplicate templates', () => {
    expect(() => new PathMatcher().add('/a/{x', 1)).toThrow(/malformed/);
    expect(() => new PathMatcher().add('/a/{x}{y}', 1)).toThrow(/nothing between/);
    const d = new PathMatcher<number>();
    d.add('/a/{x}', 1);
    expect(() => d.add('/a/{y}', 2)).toThrow(/same template/);
  });
});
