import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenMatcher, bearerToken, parseNodeTokens, readNodeTokensFile } from './tokens';

describe('node tokens', () => {
  test('parses env and file formats', () => {
    expect(parseNodeTokens('node-a:aaaaaaaaaaaaaaaa, node-b:bbbbbbbbbbbbbbbb:with-colon')).toEqual({
      'node-a': 'aaaaaaaaaaaaaaaa',
      'node-b': 'bbbbbbbbbbbbbbbb:with-colon',
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokens-'));
    try {
      const file = path.join(dir, 'tokens');
      fs.writeFileSync(file, '# fleet\nedge-1:cccccccccccccccc\n\nedge-2:dddddddddddddddd\n');
      expect(readNodeTokensFile(file)).toEqual({ 'edge-1': 'cccccccccccccccc', 'edge-2': 'dddddddddddddddd' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(['node-a', ':token-token-token', 'a:short', 'a:aaaaaaaaaaaaaaaa,a:bbbbbbbbbbbbbbbb'])('rejects %p', (text) => {
    expect(() => parseNodeTokens(text)).toThrow();
  });

  test('matches the right node and nothing else', () => {
    const matcher = new TokenMatcher({ a: 'aaaaaaaaaaaaaaaa', b: 'bbbbbbbbbbbbbbbb' });
    expect(matcher.match('bbbbbbbbbbbbbbbb')).toBe('b');
    expect(matcher.match('aaaaaaaaaaaaaaaa')).toBe('a');
    expect(matcher.match('aaaaaaaaaaaaaaa')).toBeNull();
    expect(matcher.match('')).toBeNull();
    expect(matcher.match(null)).toBeNull();
  });

  test('bearer header parsing', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
