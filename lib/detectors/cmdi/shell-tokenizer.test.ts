import { tokenizeShell } from './shell-tokenizer';

const words = (s: string, q: '' | "'" | '"' = '', win = false): string[] => tokenizeShell(s, q, win).filter((t) => t.kind === 'word').map((t) => t.text);
const kinds = (s: string): string[] => tokenizeShell(s).map((t) => (t.kind === 'word' ? 'w' : t.text));

describe('tokenizeShell', () => {
  it('removes quotes and escapes', () => {
    expect(words("c'a't \"/etc\"/passwd")).toEqual(['cat', '/etc/passwd']);
    expect(words('c\\a\\t x')).toEqual(['cat', 'x']);
  });
  it('treats $IFS and ${IFS} as blanks and positional parameters as empty', () => {
    expect(words('cat${IFS}/etc/passwd')).toEqual(['cat', '/etc/passwd']);
    expect(words('cat$IFS$9/etc/passwd')).toEqual(['cat', '/etc/passwd']);
    expect(words('w$@ho$*ami')).toEqual(['whoami']);
  });
  it('expands braces', () => {
    expect(words('{cat,/etc/passwd}')).toEqual(['cat', '/etc/passwd']);
  });
  it('yields operators, substitutions and redirections', () => {
    expect(kinds('a;b&&c||d|e&f\ng')).toEqual(['w', ';', 'w', '&&', 'w', '||', 'w', '|', 'w', '&', 'w', '\n', 'w']);
    expect(kinds('$(id)`id`')).toEqual(['$(', 'w', ')', '`', 'w', '`']);
    expect(kinds('cat x 2>&1 >/tmp/o')).toEqual(['w', 'w', '2>&'.slice(1) === '>&' ? '>&' : '>&', 'w', '>', 'w']);
  });
  it('can start inside a quote the value breaks out of', () => {
    expect(words("';id;'", "'")).toEqual(['', 'id', '']);
  });
  it('reads cmd.exe carets and literal backslashes in windows mode', () => {
    expect(words('w^h^o^a^m^i', '', true)).toEqual(['whoami']);
    expect(words('type C:\\boot.ini', '', true)).toEqual(['type', 'C:\\boot.ini']);
  });
});
