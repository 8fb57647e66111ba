import { createDetectorInput, makePoint } from './detector-input';
import { CH, PC, PC_UNKNOWN, charMask, charsOf, lastPlainChars, looksLikeNoise, plainCharsOf, plainMask, symbolKinds } from './features';
import { parseRequest } from './parsers/request';
import { DEFAULT_LIMITS } from './limits';
import { detectSqli } from './detectors/sqli';
import { detectNoSqli } from './detectors/nosqli';
import { pathTraversalDetector } from './detectors/path_traversal';
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

describe('plain classes (PC)', () => {
  it('records white space, _ , 0 x and upper case in the same pass as the CH mask', () => {
    expect(plainMask('SKU-1000')).toBe(PC.UPPER | PC.ZERO);
    expect(plainMask('ord_8f2k3')).toBe(PC.UNDERSCORE);
    expect(plainMask('a b\tc,d')).toBe(PC.SPACE | PC.TAB | PC.COMMA);
    expect(plainMask('0x2e') & (PC.ZERO | PC.X)).toBe(PC.ZERO | PC.X);
    expect(plainMask('0X2E') & PC.X).toBe(PC.X);
    expect(plainMask('dana@example.com') & (PC.SPACE | PC.ZERO | PC.UPPER)).toBe(0);
    charMask('a b');
    expect(lastPlainChars()).toBe(PC.SPACE);
  });

  it('marks the classes of a skipped leading run as may-be-present, never as absent', () => {
    // 32+ characters: the leading letters/digits/spaces are skipped by the regex, unseen
    const long = 'abcdefghijklmnopqrstuvwxyzabcdefgh;';
    expect(plainMask(long) & (PC.SPACE | PC.ZERO | PC.X | PC.UPPER)).toBe(PC.SPACE | PC.ZERO | PC.X | PC.UPPER);
    // classes the run cannot hold are still exact
    expect(plainMask(long) & (PC.UNDERSCORE | PC.TAB | PC.COMMA)).toBe(0);
    expect(plainMask(`${'a'.repeat(40)}_x`) & PC.UNDERSCORE).toBe(PC.UNDERSCORE);
  });

  it('travels with the point from the parser to the detector input; hand-built inputs compute it', () => {
    const parsed = parseRequest({ method: 'POST', path: '/a', query: 'q=red+shoes', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"sku":"SKU-1000","n":"a b"}') }, DEFAULT_LIMITS);
    for (const p of parsed.points) {
      expect(p.plainChars).toBe(plainMask(p.value));
      expect(createDetectorInput(p).plainChars).toBe(p.plainChars);
    }
    const point = makePoint('1 or 1=1');
    expect(plainCharsOf({ point, decode: () => point.value })).toBe(PC.SPACE);
    expect(PC_UNKNOWN & PC.SPACE).toBe(PC.SPACE);
  });

  it('lets the gates that use it still find what they gate', () => {
    const input = (value: string, path = 'body.json.q'): ReturnType<typeof createDetectorInput> => {
      const parsed = parseRequest({ method: 'POST', path: '/a', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ q: value })) }, DEFAULT_LIMITS);
      const p = parsed.points.find((x) => x.path === path);
      if (p === undefined) throw new Error(`no point ${path}`);
      return createDetectorInput(p);
    };
    expect(detectSqli(input('1\tunion\tselect\tpassword\tfrom\tusers'))?.type).toBe('sqli'); // tab-separated words
    expect(detectNoSqli(input('/_all_docs'))).not.toBeNull();
    expect(pathTraversalDetector.detect(input('0x2e0x2e0x2f0x2e0x2e0x2fetc0x2fpasswd'))?.type).toBe('path_traversal');
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
