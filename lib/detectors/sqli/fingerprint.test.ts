import { TokenStream, fingerprintOf } from './fingerprint';

function fp(s: string): string {
  const ts = new TokenStream(s);
  let n = 0;
  while (ts.at(n) !== undefined) n += 1;
  return fingerprintOf(ts, 0, n, 64);
}

describe('sql fingerprint folding', () => {
  it('folds multi-word keywords and classes', () => {
    expect(fp('1 UNION ALL SELECT 1,2')).toBe('1UE1,1');
    expect(fp('x ORDER BY 1')).toBe('nB1');
    expect(fp("a NOT LIKE 'b' IS NOT NULL")).toBe('noso1');
  });

  it('merges adjacent strings and qualified names', () => {
    expect(fp("'a' 'b' = 'c'")).toBe('sos');
    expect(fp('master..xp_cmdshell')).toBe('n');
    expect(fp('utl_inaddr.get_host_address(1)')).toBe('f(1)');
  });

  it('drops inner block comments but keeps a terminating comment', () => {
    expect(fp('1/**/or/**/1=1--x')).toBe('1&1o1c');
    expect(fp('1 or 1=1 /* open')).toBe('1&1o1c');
  });

  it('classifies functions, variables and logic operators', () => {
    expect(fp('sleep(5) || @@version && @x')).toBe('f(1)&v&v');
    expect(fp('NOT 1 XOR 2')).toBe('!1&1');
  });

  it('knows function risk and system objects', () => {
    const ts = new TokenStream('benchmark(1,md5(1)) information_schema.tables');
    expect(ts.at(0)?.risk).toBe('time');
    let i = 0;
    while (ts.at(i) !== undefined && ts.at(i)?.cls !== 'n') i += 1;
    expect(ts.at(i)?.system).toBe(true);
  });

  it('stops at the token cap', () => {
    const ts = new TokenStream('1+'.repeat(1000), 0, 50);
    expect(ts.at(60)).toBeUndefined();
    expect(ts.length).toBe(50);
  });
});
