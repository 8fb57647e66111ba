import { breakoutEnd, tokenizeSql } from './tokenizer';

const kinds = (s: string): string => tokenizeSql(s).map((t) => `${t.kind}:${t.text}`).join(' ');

describe('sql tokenizer', () => {
  it('lexes MySQL literals, comments and operators', () => {
    expect(kinds("1 OR 0x41=b'1' # rest")).toBe("number:1 word:OR number:0x41 op:= string:' comment:#");
    expect(kinds('`tbl`.`col` := @@version')).toBe('ident:TBL punct:. ident:COL op::= variable:@@VERSION');
    expect(kinds("_utf8'a' || 'b' && x")).toBe("string:' op:|| string:' op:&& word:X");
    expect(kinds('a--b')).toBe('word:A comment:--');
  });

  it('runs MySQL executable comments and drops ordinary ones', () => {
    expect(kinds('1/*!50000UNION*/ /*!SELECT*/ 2')).toBe('number:1 word:UNION word:SELECT number:2');
    const plain = tokenizeSql('1/*x*/or/*y*/2');
    expect(plain.map((t) => t.kind)).toEqual(['number', 'comment', 'word', 'comment', 'number']);
  });

  it('joins keywords split by inline comments only when the joined word is SQL', () => {
    expect(kinds('UN/**/ION SEL/**/ECT')).toBe('word:UNION word:SELECT');
    expect(kinds('foo/**/bar').startsWith('word:FOO comment')).toBe(true);
  });

  it('lexes PostgreSQL dollar quotes, casts and E strings', () => {
    expect(kinds("$$a'b$$::text || $tag$x$tag$ || E'\\''")).toBe("string:$ op::: word:TEXT op:|| string:$ op:|| string:'");
    expect(kinds('$1')).toBe('variable:$1');
  });

  it('lexes MSSQL brackets and N strings, Oracle q-quotes', () => {
    expect(kinds("[dbo].[users] N'x'")).toBe("ident:DBO punct:. ident:USERS string:'");
    expect(kinds("q'[it's]' nq'{a}'")).toBe('string:q string:q');
  });

  it('keeps doubled and escaped quotes inside strings and marks unclosed ones', () => {
    const [t] = tokenizeSql("'it''s \\' still'");
    expect(t.closed).toBe(true);
    const [open] = tokenizeSql("'abc");
    expect(open.closed).toBe(false);
  });

  it('treats NUL as a terminator and Unicode spaces as whitespace', () => {
    expect(kinds('1\u00a0or\u000b1=1\u0000 ignored')).toBe('number:1 word:OR number:1 op:= number:1 comment:nul');
  });

  it('marks function calls', () => {
    const toks = tokenizeSql('sleep (5) user');
    expect(toks[0].parenNext).toBe(true);
    expect(toks[toks.length - 1].parenNext).toBe(false);
  });

  it('finds where a value breaks out of a literal', () => {
    expect(breakoutEnd("admin' or 1=1", "'")).toBe(6);
    expect(breakoutEnd("O''Reilly", "'")).toBe(-1);
    expect(breakoutEnd("a\\' b", "'")).toBe(-1);
    expect(breakoutEnd('no quote', "'")).toBe(-1);
  });

  it('is linear on hostile input', () => {
    const s = "'".repeat(5000) + '/*'.repeat(5000) + '$a$'.repeat(3000);
    expect(tokenizeSql(s).length).toBeGreaterThan(0);
  });
});
