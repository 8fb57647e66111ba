import { nulAt, tokenizeLdap } from './tokenizer';

const kinds = (s: string, inValue = false): string => tokenizeLdap(s, 0, inValue).map((t) => `${t.kind}:${t.text}`).join(' ');

describe('ldap filter tokenizer', () => {
  it('lexes RFC 4515 filters', () => {
    expect(kinds('(&(uid=a*b)(!(cn~=x)))')).toBe('(:( &:& (:( attr:uid op:= value:a*b ):) (:( !:! (:( attr:cn op:~= value:x ):) ):) ):)');
    expect(kinds('(cn:dn:2.4.6.8:=Fred)')).toBe('(:( attr:cn op::= value:Fred ):)');
    expect(kinds('(cn;lang-en>=b)')).toBe('(:( attr:cn;lang-en op:>= value:b ):)');
  });
  it('starts inside a value when asked and keeps escapes in values', () => {
    expect(kinds('a\\29b)(uid=*', true)).toBe('value:a\\29b ):) (:( attr:uid op:= value:*');
  });
  it('recognises NUL in its spellings', () => {
    expect(nulAt('\u0000', 0)).toBe(1);
    expect(nulAt('\\00', 0)).toBe(3);
    expect(nulAt('\\x00', 0)).toBe(4);
    expect(nulAt('\\29', 0)).toBe(0);
  });
});
