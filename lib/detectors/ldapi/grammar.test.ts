import { scanLdap, scoreLdap } from './grammar';

const judge = (s: string) => {
  const from = s.indexOf(')') >= 0 ? s.indexOf(')') : s.indexOf('(');
  return scoreLdap(scanLdap(s, from), s.indexOf(')') < 0);
};

describe('ldap injection grammar', () => {
  it('rates new filter items after a breakout', () => {
    expect(judge('*)(uid=*))(|(uid=*')).toMatchObject({ rule: 'filter-item', confidence: 0.9 });
    expect(judge('x)(foo=bar')).toMatchObject({ rule: 'filter-item', confidence: 0.75 });
    expect(judge('admin)(&)').rule).toBe('compound');
  });
  it('rates NUL truncation only at the end of a text value', () => {
    expect(judge('*))\u0000').rule).toBe('nul-truncation');
    expect(judge('*))\u0000trailing binary').confidence).toBe(0);
  });
  it('loses confidence on garbage after the components', () => {
    expect(judge('x)(uid=*)) then prose').confidence).toBeLessThan(judge('x)(uid=*))').confidence);
  });
});
