import { TokenStream } from './fingerprint';
import { SqlParser, score, type EntryKind } from './grammar';

/** Parses `s` as-is with the given entry and returns rule + confidence. */
function judge(s: string, entry: EntryKind): { rule: string; confidence: number } {
  const ts = new TokenStream(s);
  const sig = new SqlParser().reset(ts, '').parseInjection(entry);
  return score(entry, sig);
}

describe('sql injection grammar', () => {
  it('recognises tautologies after a numeric entry', () => {
    expect(judge('1 or 1=1', 'number')).toMatchObject({ rule: 'tautology' });
    expect(judge('1 or 1=1', 'number').confidence).toBeGreaterThanOrEqual(0.9);
    expect(judge("1 and 'a'='a'", 'number').confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps literal-only booleans and column comparisons low without a breakout', () => {
    expect(judge('1 or 2', 'number').confidence).toBeLessThan(0.5);
    expect(judge('x>5 and x<10', 'word').confidence).toBeLessThan(0.5);
  });

  it('recognises UNION SELECT, stacked statements, clauses and subqueries', () => {
    expect(judge('-1 union select 1,2', 'number').rule).toBe('union');
    expect(judge('1; drop table users', 'number').rule).toBe('stacked');
    expect(judge('1 order by 3--', 'number').rule).toBe('clause');
    expect(judge('1 and (select 1)=1', 'number').confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('rates dangerous functions and statements', () => {
    expect(judge('1 and sleep(5)', 'number').rule).toBe('time');
    expect(judge('1 and extractvalue(1,concat(0x7e,version()))', 'number').rule).toBe('error');
    expect(judge("exec master..xp_cmdshell 'dir'", 'statement').rule).toBe('statement:danger');
    expect(judge('select @@version', 'statement').confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('does not take a lone statement for an injection', () => {
    expect(judge('select a size', 'statement').confidence).toBe(0);
    expect(judge('drop table tennis', 'statement').confidence).toBeLessThan(0.5);
    expect(judge('SELECT * FROM users', 'statement').confidence).toBeLessThan(0.5);
  });

  it('loses confidence when the parse breaks off', () => {
    const clean = judge('1 or 1=1', 'number').confidence;
    const broken = judge('1 or 1=1 blah blah', 'number').confidence;
    expect(broken).toBeLessThan(clean);
  });

  it('bounds nesting depth', () => {
    expect(() => judge('1 or ' + '('.repeat(5000) + '1=1', 'number')).not.toThrow();
  });
});
