import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { analyzeSql, mayBeSql, sqliDetector } from './index';
import { corpusAvailable, isCorpusNoise, readAttacks } from './dev-corpus.test-helper';

const detect = (v: string, overrides: Partial<Point> = {}) => sqliDetector.detect(createDetectorInput(makePoint(v, 'query.q', overrides)));
const hit = (v: string): boolean => (detect(v)?.confidence ?? 0) >= 0.5;

describe('sqliDetector: attacks across dialects', () => {
  const attacks: Record<string, string[]> = {
    'auth bypass / tautology': [
      "admin' or 1=1--", "' or 'x'='x", '" or ""="', "') or ('1'='1", "' OR '1", "'='", "'-'", "admin'--", "admin')#",
      '1 or 1=1', 'or 1=1', "' or true--", "1' or 'a' like 'a", "' or userid like '%", "1'||'1'='1",
    ],
    union: [
      "' UNION ALL SELECT 1,@@version#", '-1 union select 1,2,3', "1') union select null,table_name from information_schema.tables-- -",
      "''''''''''''''UNION SELECT '2", ' UNION ALL SELECT NULL,NULL--',
    ],
    'stacked / MSSQL': [
      "'; exec master..xp_cmdshell 'ping 10.0.0.1'--", "1;WAITFOR DELAY '0:0:5'--", "')) waitfor delay '0:0:20' --",
      "1; DROP TABLE users; --", "';declare @q varchar(99);set @q='x';exec(@q)--", "x' AND 1=CONVERT(int,@@version)--",
      "' + (SELECT TOP 1 name FROM sysobjects)--",
    ],
    'MySQL time/error': [
      "1 and sleep(5)", "' and 0=benchmark(3000000,MD5(1))--", "1 and extractvalue(1,concat(0x7e,version()))",
      '%2c(select%20*%20from%20(select(sleep(10)))a)', "if(now()=sysdate(),sleep(5),0)", "1' xor 1=1#",
      '1/*!50000UNION*/ /*!50000SELECT*/ 1,2', "' into outfile '/var/www/x.php'--",
    ],
    PostgreSQL: ["'||pg_sleep(5)--", '1;SELECT pg_sleep(5)--', "' OR E'a'='a", "1 AND $t$x$t$=$t$x$t$", '1 OR 1::int=1'],
    Oracle: [
      "'||utl_http.request('http://x.example/')||'", "' UNION SELECT NULL FROM DUAL--", "' OR q'[a]'=q'[a]'--",
      "' AND 1=utl_inaddr.get_host_address((SELECT banner FROM v$version WHERE rownum=1)) AND 'i'='i",
    ],
    SQLite: ["' UNION SELECT sql FROM sqlite_master--", '1 AND 1=randomblob(100000000)'],
    'ORDER BY / GROUP BY': [' ORDER BY 4-- ', "1' ORDER BY 1,2--+", "' group by username having 1=1--"],
  };
  for (const [family, list] of Object.entries(attacks)) {
    it(family, () => {
      for (const a of list) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
    });
  }

  it('sees through encodings and evasions', () => {
    const evasive = [
      "1'%0bor%0b1=1--", '1%2520union%2520select%25201,2', "1'/**/or/**/1=1#", '1 UN/**/ION SEL/**/ECT 1,2', "1'or(1=1)--",
      '1 aNd sLeEp(5)', '1\tOR\t1=1', '-1 union(select(1),(2))', "1＇ OR 1=1--", "1'+or+1=1--", "’ or ‘1’=’1",
      "1'%a0or%a01=1--",
    ];
    for (const a of evasive) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
  });

  it('reports detail, excerpt and a strong confidence for grammar matches', () => {
    const d = detect("admin' or 1=1--");
    expect(d).toMatchObject({ type: 'sqli', detail: 'sqli:quote:tautology:s&1o1c' });
    expect(d!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(d!.excerpt).toBe("admin' or 1=1--");
  });
});

describe('sqliDetector: benign values', () => {
  const benign = [
    'select a size', "o'reilly", "O'Reilly & Sons", 'and/or', 'drop-down', '1-2 days', "Rock 'n' roll", "john.o'brien@example.com",
    'it\'s a 5\' 10" guy', 'Union Station', 'Select your country', 'order by price', 'Tom & Jerry', '1+1=2', 'a=1&b=2',
    'SELECT * FROM my heart', "I'd like this or that", "Kids' and adults' shoes", '"Hello" or "Goodbye"', '1 or 2',
    'true or false', "'yes' or 'no'", "The 'or' operator", '"and" is a conjunction', 'price >= 10 and price <= 20', '50% off',
    'C++ programming', '#hashtag', '(555) 123-4567', 'https://example.com/?q=1&r=2#frag', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    '{"a":"b","c":[1,2]}', 'drop table tennis', 'insert coin', 'update your profile', 'delete my account', 'sleep(8 hours)',
    "Bob's 'special' sauce", "it's -- great", "$('#main')", "document.querySelector('#app')", 'a || b', 'if (a && b) {}',
    'for (let i = 0; i < n; i++) { x += i; }', '-- no comment --', "size: 10' x 12'", "Name: 'Bob' or 'Alice'", ',5',
    'select@2x.png', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc+def/ghi==', "L'Oréal", 'We’re #1',
  ];
  it('stays below the threshold on tricky prose, code and identifiers', () => {
    for (const b of benign) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
  });

  it('rejects plain values in the prefilter', () => {
    expect(mayBeSql('hello world')).toBe(false);
    expect(mayBeSql('12345')).toBe(false);
    expect(mayBeSql('1 or 1=1')).toBe(true);
    expect(mayBeSql("o'reilly")).toBe(true);
  });

  it('exposes the analysis for tools', () => {
    expect(analyzeSql('1 union select 1,2')).toMatchObject({ context: 'as-is', fingerprint: '1UE1,1' });
    expect(analyzeSql('plain text')).toBeNull();
  });
});

describe('sqliDetector: dev corpus', () => {
  const run = corpusAvailable() ? it : it.skip;
  run('detects at least 98% of the sqli payloads (noise lines dropped)', () => {
    const payloads = readAttacks('sqli').filter((a) => !isCorpusNoise('sqli', a.payload));
    expect(payloads.length).toBeGreaterThan(900);
    const missed = payloads.filter((a) => !hit(a.payload));
    expect(missed.length / payloads.length).toBeLessThan(0.02);
  });
});

describe('sqliDetector: false-positive pass (prose comparisons, macros, bare statements, binary text)', () => {
  it('needs a way to attach to the query, not just a comparison in prose', () => {
    const benign = [
      'Is 2 < 3', 'Is 2 < 3? Yes, and 10 > 9, so the comparison holds; e-mail me if not.', 'In 2024 or 2025', 'Like 1 or 2',
      'Between 1 and 5 or 6 and 10', 'is 5 = 5',
    ];
    for (const b of benign) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
    // the same comparison after a context break and a logic operator is an injection
    for (const a of ['1 or 2<3', "' or 2<3--", '1) or (2<3', "x' and 2 < 3#"]) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
  });

  it('leaves tracking macros alone but keeps server variables', () => {
    expect(hit('@@CRITEO_USERID@@')).toBe(false);
    expect(hit('@@version')).toBe(true);
    expect(hit('1 and @@version>5')).toBe(true);
  });

  it('reads a bare OR/AND between a breakout and a string the app closes as a bypass probe', () => {
    for (const a of ["' or '' '", '" or "" "', "x' or 'y", "admin' AND 'x"]) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
    for (const b of ["'red' or 'blue'", "the teams' or fans' views", "Rock 'n' roll or jazz", "Pick 'A' or 'B' please"]) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
  });

  it('reads a breakout that closes a VALUES or argument list with literals as an injection', () => {
    for (const a of ["x', 1) --", "a','b')#", "',NULL) waitfor delay '0:0:5' /*", "'),NULL) or 1=1 /*"]) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
    for (const b of ["dogs', cats) and birds", "the kids' toys, 5 of them", "Say 'hi', then (2) wave"]) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
  });

  it("flags MySQL's executable comments, not minified license banners", () => {
    for (const a of ["1/*!1111'*/", '1 /*!50000UNION*/ /*!50000SELECT*/ 1', "x'/*!or*/1"]) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
    for (const b of ['/*! jQuery v3.7.1 | (c) OpenJS Foundation */', '/*!\n * Bootstrap v5.3.0\n */']) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
  });

  it('does not read English imperatives as MSSQL statements stacked without `;`', () => {
    const benign = [
      '我们明天下午三点开会，请准时参加。 Execute the plan as discussed; the command center will confirm by noon.',
      'Please execute the plan', 'Please execute payment', 'Please show status', 'Show tables please', 'Grant access to user bob', 'Kill 3 birds',
    ];
    for (const b of benign) expect({ b, hit: hit(b) }).toEqual({ b, hit: false });
    const attacks = ["1 exec master..xp_cmdshell 'dir'", "1 waitfor delay '0:0:5'", 'show tables', "1; exec myproc 'x'--", 'GRANT ALL ON *.* TO evil', 'KILL 42'];
    for (const a of attacks) expect({ a, hit: hit(a) }).toEqual({ a, hit: true });
  });

  it('does not take an unclosed string over binary bytes as the terminator', () => {
    const protobufText = `\n(6Ld6N2ApAAAAAMmHFsSXpV4sdp1Cob\u0012\u00a4\r03AFcWeA4nFyRi_an7oXKQ2N-ICwWt")\b \f\u0018\u0001*"\n\b\b\u0001\u0010\u00e6\u0015\u0018\n`;
    expect(hit(protobufText)).toBe(false);
    expect(hit("'-'")).toBe(true);
    expect(hit("' or 'a'='a")).toBe(true);
  });

  it('reads a lone operator between quotes as a probe only at the start of a value or after a short one', () => {
    for (const probe of ["'-'", "'^'", '"*"', "john'|'", "john smith'-'", " like '%'"]) expect({ probe, hit: hit(probe) }).toEqual({ probe, hit: true });
    const prose = [
      "Options are separated by a comma or space or vertical bar ('|').",
      'It is possible to define more than one parameter within the same couple of slash ("/"). Such as:',
      "Any `module.exports = require('mod')` assignment is detected as a reexport, but only the last one is returned:",
    ];
    for (const text of prose) expect({ text, hit: hit(text) }).toEqual({ text, hit: false });
  });

  it('gates on the shared character mask', () => {
    expect(mayBeSql('SKU-1000')).toBe(false);
    expect(mayBeSql('x'.repeat(1000))).toBe(false);
    expect(mayBeSql('red shoes 2')).toBe(false);
    expect(mayBeSql('a--b')).toBe(true);
    expect(mayBeSql('1/**/2')).toBe(true);
    expect(mayBeSql('1\tunion\tselect 2')).toBe(true);
    expect(mayBeSql('1 UNION select 2')).toBe(true);
    // MySQL ends a number where its digits end
    expect(mayBeSql('1e0union select 1')).toBe(true);
    expect(hit('1e0union select 1')).toBe(true);
    expect(hit('1.0union select 1')).toBe(true);
    expect(mayBeSql('2nd floor 10px wide')).toBe(false);
    // the gate and the detector agree with a hand-built input that carries no mask
    expect(sqliDetector.detect({ point: makePoint('1 union select 1,2'), decode: () => '1 union select 1,2' })?.confidence ?? 0).toBeGreaterThanOrEqual(0.9);
  });
});
