import { createDetectorInput, makePoint } from '../../detector-input';
import { corpusAvailable, isCorpusNoise, readAttacks } from '../sqli/dev-corpus.test-helper';
import { ldapiDetector } from './index';

const conf = (v: string): number => ldapiDetector.detect(createDetectorInput(makePoint(v)))?.confidence ?? 0;

describe('ldapiDetector', () => {
  it('flags values that close the filter and open new components', () => {
    const attacks = [
      '*)(uid=*))(|(uid=*', '*)(&', '*))%00', '*(|(mail=*))', '*(|(objectclass=*))', 'admin*)((|userPassword=*)', ')(cn=))\\x00',
      'admin)(&)', 'x)(objectClass=*)', 'jdoe)(|(password=*))', '*)(userPassword=*', '%2A%28%7C%28mail%3D%2A%29%29',
      'admin)(!(uid=x))', 'x))(|(cn=*', 'user)(memberOf=cn=admins,dc=example,dc=com', '*()|&\'', 'admin)(%00',
      '%252A%2529%2528uid%253D%252A', 'x)(sAMAccountName=*)(description=*',
    ];
    for (const a of attacks) expect({ a, c: conf(a) >= 0.5 }).toEqual({ a, c: true });
  });

  it('leaves wildcards, prose parentheses, emails and code alone', () => {
    const benign = [
      'foo*', 'admin*', 'John (Jack) Smith', '(555) 123-4567', 'a (b) (c)', 'f(x) (y)', 'john.doe@example.com', '[link](https://x.example/?a=b)',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)', 'smile :)', 'if (a) { b(c) }', '(cn=test)',
      'price (USD) (approx.)', 'x) (y=z)', ':-) (hi=there)', '*.example.com', 'func()()=x',
    ];
    for (const b of benign) expect({ b, c: conf(b) < 0.5 }).toEqual({ b, c: true });
  });

  it('flags a whole value that is an XPath node wildcard, except in headers (Accept: */*)', () => {
    for (const a of ['//*', '*/*', '//node()', '//*[1]']) expect({ a, c: conf(a) }).toEqual({ a, c: 0.6 });
    const inHeader = ldapiDetector.detect(createDetectorInput(makePoint('*/*', 'header.accept', { source: 'header', name: 'accept' })));
    expect(inHeader).toBeNull();
    for (const b of ['src/**/*.ts', '*/5 * * * *', 'a*/b', '/*']) expect({ b, c: conf(b) < 0.5 }).toEqual({ b, c: true });
  });

  it('reports detail and excerpt', () => {
    const d = ldapiDetector.detect(createDetectorInput(makePoint('*)(uid=*))(|(uid=*')));
    expect(d).toMatchObject({ type: 'ldapi', detail: 'ldapi:breakout:filter-item' });
    expect(d!.excerpt.startsWith('*)(uid=*')).toBe(true);
  });
});

describe('ldapiDetector: dev corpus', () => {
  const run = corpusAvailable() ? it : it.skip;
  run('detects the ldapi payloads except bare wildcards and XPath lines', () => {
    const payloads = readAttacks('ldapi').filter((a) => !isCorpusNoise('ldapi', a.payload));
    const missed = payloads.filter((a) => conf(a.payload) < 0.5).map((a) => a.payload);
    // `admin*` is a wildcard search as far as a WAF can tell; the `x' or name()=...` lines are XPath
    // injection (the sqli detector reports them)
    expect(missed.filter((m) => m !== 'admin*' && !m.startsWith("x' or name()"))).toEqual([]);
  });
});
