import { tokenizeJs } from './js-tokenizer';

const kinds = (s: string): string => tokenizeJs(s).map((t) => `${t.kind}:${t.kind === 'string' || t.kind === 'regex' ? s.slice(t.start, t.end) : t.text}`).join(' ');

describe('js tokenizer', () => {
  it('lexes strings, operators and punctuation', () => {
    expect(kinds("'a\\'b' === \"c\" && x.y(1)")).toBe("string:'a\\'b' op:=== string:\"c\" op:&& ident:x punct:. ident:y punct:( number:1 punct:)");
  });
  it('tells regex literals from division', () => {
    expect(kinds('this.p.match(/.*/)')).toContain('regex:/.*/');
    expect(kinds('a / b / c')).toBe('ident:a op:/ ident:b op:/ ident:c');
  });
  it('lexes comments and unterminated strings', () => {
    const t = tokenizeJs("'open // not a comment");
    expect(t).toHaveLength(1);
    expect(t[0].closed).toBe(false);
    expect(kinds('1 // rest')).toBe('number:1 comment://');
  });
  it('is linear on hostile input', () => {
    expect(tokenizeJs('/'.repeat(20000) + "'".repeat(20000)).length).toBeGreaterThan(0);
  });
});
