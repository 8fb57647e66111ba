import fc from 'fast-check';
import { compileGlob, containerPoint } from './glob';

describe('globs', () => {
  const point = (p: string) => compileGlob(p, '.');
  const path = (p: string) => compileGlob(p, '/');

  it('* is one segment, ** any number, * inside a segment any characters', () => {
    expect(point('body.json.*.comment').test('body.json.post.comment')).toBe(true);
    expect(point('body.json.*.comment').test('body.json.a.b.comment')).toBe(false);
    expect(point('body.json.**.comment').test('body.json.a.b.comment')).toBe(true);
    expect(point('body.json.**.comment').test('body.json.comment')).toBe(true);
    expect(point('query.*').test('query.q')).toBe(true);
    expect(point('query.*').test('query.user.name')).toBe(false);
    expect(point('query.**').test('query.user.name')).toBe(true);
    expect(point('header.x-*').test('header.x-debug')).toBe(true);
    expect(point('header.x-*').test('header.accept')).toBe(false);
    expect(point('body.json.items.*.note').test('body.json.items.12.note')).toBe(true);
    expect(point('**').test('anything.at.all')).toBe(true);
    expect(point('a.**.b.**.c').test('a.x.b.y.z.c')).toBe(true);
    expect(point('a.**.b.**.c').test('a.x.y.z.c')).toBe(false);
  });

  it('paths', () => {
    expect(path('/api/*/comments').test('/api/42/comments')).toBe(true);
    expect(path('/api/*/comments').test('/api/4/2/comments')).toBe(false);
    expect(path('/admin/**').test('/admin/users/7')).toBe(true);
    expect(path('/admin/**').test('/administrator')).toBe(false);
    expect(path('/files/*.pdf').test('/files/report.pdf')).toBe(true);
    expect(path('/files/*.pdf').test('/files/report.pdf.exe')).toBe(false);
    expect(path('/**').test('/')).toBe(true);
  });

  it('refuses ** inside a segment', () => {
    expect(() => point('a**b')).toThrow(/whole segment/);
  });

  it('agrees with a reference implementation on random inputs', () => {
    // reference: translate to an anchored regex (safe here: tiny alphabet and lengths, not attacker input)
    const ref = (pattern: string, s: string): boolean => {
      const re = pattern
        .split('.')
        .map((seg) => (seg === '**' ? '\u0001' : seg === '*' ? '[^.]*' : seg.split('*').map((x) => x.replace(/[.]/g, '\\.')).join('[^.]*')))
        .join('\\.')
        .replace(/\\\.\u0001\\\./g, '(?:\\.|\\..*\\.)')
        .replace(/^\u0001\\\./, '(?:.*\\.)?')
        .replace(/\\\.\u0001$/, '(?:\\..*)?')
        .replace(/^\u0001$/, '.*');
      return new RegExp(`^${re}$`).test(s);
    };
    const seg = fc.constantFrom('a', 'b', 'ab', '*', 'a*', '*b', '**');
    const sub = fc.constantFrom('a', 'b', 'ab', 'ba', 'aab', '');
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), fc.array(sub, { minLength: 1, maxLength: 6 }), (p, s) => {
        const pattern = p.filter((x, i) => !(x === '**' && p[i - 1] === '**')).join('.');
        const subject = s.join('.');
        expect(compileGlob(pattern, '.').test(subject)).toBe(ref(pattern, subject));
      }),
      { numRuns: 2000 },
    );
  });

  it('containerPoint drops peeled encodings', () => {
    expect(containerPoint('query.token[base64].user')).toBe('query.token');
    expect(containerPoint('body.json.a')).toBe('body.json.a');
  });
});
