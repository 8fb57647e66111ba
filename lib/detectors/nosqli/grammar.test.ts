import { findShellCall, jsBreakoutEnd, scanJs, scoreJs } from './grammar';

const judge = (s: string, quote?: string) => {
  const start = quote === undefined ? 0 : jsBreakoutEnd(s, quote);
  return scoreJs(quote === undefined ? 'operand' : 'quote', scanJs(s, start, quote === undefined ? 'operand' : 'quote'));
};

describe('nosql javascript grammar', () => {
  it('finds statements after a string breakout', () => {
    expect(judge("'; return true; var x='", "'").rule).toBe('statement');
    expect(judge("' && this.password.match(/.*/)//", "'").rule).toBe('this');
    expect(judge("' || 'a'=='a", "'").rule).toBe('tautology');
    expect(judge("'; sleep(5000); '", "'").rule).toBe('delay');
  });
  it('finds code after a numeric entry', () => {
    expect(judge('0;return true').confidence).toBeGreaterThanOrEqual(0.85);
    expect(judge('function() { return this.a == 1 }').confidence).toBeGreaterThanOrEqual(0.8);
  });
  it('rejects prose: two operands in a row, or no code after the entry', () => {
    expect(judge('Hi; return policy').confidence).toBe(0);
    expect(judge("It's great; do it now", "'").confidence).toBe(0);
    expect(judge('en-US,en;q=0.9').confidence).toBe(0);
  });
  it('finds Mongo shell calls', () => {
    expect(findShellCall('db.users.find()')).toBe(0);
    expect(findShellCall("x';db.dropDatabase();")).toBe(3);
    expect(findShellCall('db.example.com')).toBe(-1);
  });
  it('finds where a value closes a JS string', () => {
    expect(jsBreakoutEnd("a\\'b' x", "'")).toBe(5);
    expect(jsBreakoutEnd('none', "'")).toBe(-1);
  });
});
