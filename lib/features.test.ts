import { createDetectorInput, makePoint } from './detector-input';
import { CH, charMask, charsOf, looksLikeNoise, symbolKinds } from './features';
import type { DetectorInput } from './types';

describe('charMask', () => {
  it('records each character class present', () => {
    expect(charMask('hello world 42')).toBe(0);
    const m = charMask("a<b'c;d?");
    expect(m & CH.LT).not.toBe(0);
    expect(m & CH.SQUOTE).not.toBe(0);
    expect(m & CH.SEMI).not.toBe(0);
    expect(m & CH.QUESTION).not.toBe(0);
    expect(m & CH.GT).toBe(0);
    expect(charMask('line\nbreak') & CH.NEWLINE).not.toBe(0);
    expect(charMask('tab\there') & CH.CONTROL).toBe(0);
    expect(charMask('nul\u0000') & CH.CONTROL).not.toBe(0);
    expect(charMask('ＳＥＬＥＣＴ') & CH.NONASCII).not.toBe(0);
  });

  it('is what inputs from createDetectorInput carry, and charsOf computes it for hand-built inputs', () => {
    const point = makePoint('x=${jndi:ldap://a}');
    expect(createDetectorInput(point).chars).toBe(charMask(point.value));
    const bare: DetectorInput = { point, decode: () => point.value };
    expect(charsOf(bare)).toBe(charMask(point.value));
  });
});

describe('looksLikeNoise', () => {
  // printable random text, as bot-manager sensor fields carry (deterministic generator)
  const soup = (n: number): string => {
    let x = 12345;
    let s = '';
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += String.fromCharCode(33 + ((x >>> 16) % 94));
    }
    return s;
  };

  it('flags long random printable text', () => {
    expect(symbolKinds(charMask(soup(600)))).toBeGreaterThanOrEqual(20);
    expect(looksLikeNoise(createDetectorInput(makePoint(soup(600), 'body.text')))).toBe(true);
  });

  it('leaves structured text, short values and code alone', () => {
    const json = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, url: `https://a.example/p?q=${i}&x=[1]`, note: "it's (mostly) fine: 50% off!" })) });
    const code = 'function f(a, b) { if (a < b && b > 0) { return a * b + 1; } else { return a - b; } } // ok?\n'.repeat(6);
    expect(looksLikeNoise(createDetectorInput(makePoint(json, 'body.json.x')))).toBe(false);
    expect(looksLikeNoise(createDetectorInput(makePoint(code, 'body.json.x')))).toBe(false);
    expect(looksLikeNoise(createDetectorInput(makePoint(soup(100), 'body.json.x')))).toBe(false);
  });
});

describe('createDetectorInput decode shortcuts', () => {
  it('skips decoders with nothing to decode but still runs the rest of the chain', () => {
    const input = createDetectorInput(makePoint('EVIL Value'));
    expect(input.decode('url', 'html', 'lower')).toBe('evil value');
    expect(input.decode('url')).toBe('EVIL Value');
  });

  it('gives the same views as running the decoders in order, in any call order', () => {
    const value = '%3Cb%3E &amp;lt;i&amp;gt; \\u0041 A%2541';
    const a = createDetectorInput(makePoint(value));
    const b = createDetectorInput(makePoint(value));
    const chains = [['url'], ['url', 'html'], ['html'], ['url', 'js', 'html'], ['js', 'url'], ['url', 'html', 'lower']] as const;
    const first = chains.map((c) => a.decode(...c));
    const reversed = [...chains].reverse().map((c) => b.decode(...c)).reverse();
    expect(reversed).toEqual(first);
    expect(a.decode('url')).toBe('<b> &amp;lt;i&amp;gt; \\u0041 AA');
    expect(a.decode('url', 'html')).toBe('<b> <i> \\u0041 AA');
    expect(a.decode('js', 'url')).toBe('<b> &amp;lt;i&amp;gt; A AA');
  });
});
