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
  ])('leaves prose alone: %s', (s) => {
    const m = analyzeJs(s);
    expect(m === null || m.confidence < 0.5).toBe(true);
  });

  it('looksLikeScript tells code from text', () => {
    expect(looksLikeScript('alert(1)')).toBe(true);
    expect(looksLikeScript('x=1')).toBe(true);
    expect(looksLikeScript('hello world')).toBe(false);
  });
});
