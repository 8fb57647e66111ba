import { firstWordIsCommand, isCommandNameAt } from './commands';

describe('command names', () => {
  it('recognizes names as spelled (Unix) and in any case (Windows), with paths, carets and .exe', () => {
    for (const v of ['whoami', 'cat /etc/passwd', ' id', "'ls -la", 'IPCONFIG /all', 'Cmd.exe /c dir', '/usr/bin/id', 'w^h^o^a^m^i', 'curl.exe http://x', 'lsb_release -a', 'python3 -c x', 'net1 user']) {
      expect({ v, hit: firstWordIsCommand(v) }).toEqual({ v, hit: true });
    }
    for (const v of ['Dana Smith', 'SKU-1000', 'dana@example.com', 'example.com', 'CAT', 'Uname', 'cats', 'c', "c'a't", 'select a size', '', '   ', 'x'.repeat(700)]) {
      expect({ v, hit: firstWordIsCommand(v) }).toEqual({ v, hit: false });
    }
  });

  it('checks a range in place', () => {
    expect(isCommandNameAt('x;whoami;y', 2, 8)).toBe(true);
    expect(isCommandNameAt('x;whoamx;y', 2, 8)).toBe(false);
    expect(isCommandNameAt('a|/bin/cat', 2, 10)).toBe(true);
  });
});
