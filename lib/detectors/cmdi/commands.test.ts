import { charMask } from '../../features';
import { commandNames, firstWordIsCommand, isCommandNameAt, mayStartCommandName } from './commands';

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

describe('firstWordIsCommand with the value mask (the three-character gate)', () => {
  const upper = (w: string): string => w.toUpperCase();
  const spellings = (name: string): string[] => [name, `${name} -x`, ` ${name}`, `"${name}"`, upper(name), `${upper(name)}.EXE /c`, `${name}.exe`, `/usr/bin/${name}`, `x/${name}`, `${name[0]}^${name.slice(1)}`];

  it('never rejects a value whose first word firstWordIsCommand accepts', () => {
    let accepted = 0;
    for (const name of commandNames()) {
      for (const v of spellings(name)) {
        if (!firstWordIsCommand(v)) continue;
        accepted += 1;
        expect({ v, gate: firstWordIsCommand(v, charMask(v)) }).toEqual({ v, gate: true });
      }
    }
    expect(accepted).toBeGreaterThan(commandNames().length * 3);
  });

  it('rejects plain first words no command starts with', () => {
    for (const v of ['Dana Smith', 'SKU-1000', 'select a size', 'hello world', 'ord_8f2k3', 'bravo 6']) {
      expect({ v, gate: mayStartCommandName(v, 0) }).toEqual({ v, gate: false });
    }
    // a path or caret anywhere may rename the word: no verdict from the prefix (`dan` starts no command)
    expect(mayStartCommandName('dan/cat', 0)).toBe(false);
    expect(firstWordIsCommand('dan/cat', charMask('dan/cat'))).toBe(true);
  });
});
