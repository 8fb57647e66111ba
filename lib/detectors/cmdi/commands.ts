import { CH } from '../../features';
/**
 * Command words an injected value runs, grouped by what they give an attacker, because that decides
 * which arguments make them suspicious:
 * - probe:  reports who/where the shell is (`id`, `whoami`, `uname`); suspicious even with no arguments;
 * - fetch:  reaches the network (`curl`, `wget`, `nc`, `ping`, `nslookup`); suspicious with a host/URL/flag;
 * - interp: runs code given to it (`bash -c`, `python -c`, `perl -e`, `powershell -enc`, `cmd /c`);
 * - read:   prints files (`cat`, `type`, `head`); suspicious with a system path or flags;
 * - act:    changes the system or waits (`sleep 5`, `echo`, `rm -rf`, `net user`, `reg add`).
 * `english` marks words that are also common English (cat, sleep, echo, type, find, more, id, dir...): they
 * count only with shell-shaped arguments. Unix names match case-sensitively (the shell does); `windows`
 * names match in any case (cmd.exe does).
 */
export type CommandKind = 'probe' | 'fetch' | 'interp' | 'read' | 'act';

export interface CommandInfo {
  kind: CommandKind;
  english: boolean;
  windows: boolean;
}

const table: Array<[CommandKind, boolean, boolean, string]> = [
  // kind, english, windows, names
  ['probe', false, false, 'whoami uname ifconfig hostname lsb_release getent groups printenv lscpu lsof lspci nproc uptime'],
  ['probe', true, false, 'id ls pwd ps env who last arp route netstat'],
  ['probe', false, true, 'ipconfig systeminfo sysinfo tasklist getmac qwinsta whoami'],
  ['probe', true, true, 'dir ver set hostname'],
  ['fetch', false, false, 'wget curl nc ncat netcat socat telnet tftp nslookup dig traceroute lwp-download lynx'],
  ['fetch', true, false, 'ping ssh scp ftp host fetch'],
  ['fetch', false, true, 'certutil bitsadmin nslookup tracert'],
  ['fetch', true, true, 'ping'],
  ['interp', false, false, 'bash sh zsh ksh csh tcsh dash busybox python python2 python3 perl ruby php node nodejs lua awk gawk nawk xterm nohup sudo xargs'],
  ['interp', true, false, 'exec eval source su'],
  ['interp', false, true, 'cmd powershell pwsh cscript wscript mshta rundll32 regsvr32 msiexec wmic'],
  ['interp', true, true, 'start call'],
  ['read', false, false, 'cat tac nl od xxd hexdump strings base64 grep egrep fgrep'],
  ['read', true, false, 'head tail more less find sort uniq cut'],
  ['read', true, true, 'type more'],
  ['act', false, false, 'chmod chown chgrp rm mv cp mkdir rmdir mkfifo mknod useradd usermod userdel crontab pkill killall shutdown reboot printf gcc'],
  ['act', true, false, 'sleep echo touch kill timeout which passwd'],
  ['act', false, true, 'netsh schtasks taskkill reg del attrib icacls net1 bcdedit vssadmin'],
  ['act', true, true, 'net sc echo copy move ren timeout'],
];

const UNIX = new Map<string, CommandInfo>();
const WINDOWS = new Map<string, CommandInfo>();
for (const [kind, english, windows, names] of table) {
  for (const name of names.split(' ')) {
    const map = windows ? WINDOWS : UNIX;
    if (!map.has(name)) map.set(name, { kind, english, windows });
  }
}

/** Every name, for glob matching (`/???/c?t`). */
const ALL_UNIX = [...UNIX.keys()];

/**
 * The command names per lower-case first letter and length (Unix and Windows together; all names are
 * lower case): a plain word is compared in place with the few names of its bucket, so a word that is no
 * command (`Dana`, `select`, `alpha`) costs neither a slice, a hash nor case folding.
 */
interface NameEntry {
  name: string;
  unix: boolean;
  windows: boolean;
}
const MAX_BUCKET_LENGTH = 31;
const BUCKETS: Array<NameEntry[] | undefined> = new Array(26 * MAX_BUCKET_LENGTH);
for (const [name, unix, windows] of commandNames().map((n) => [n, UNIX.has(n), WINDOWS.has(n)] as const)) {
  const c = name.charCodeAt(0) - 97;
  if (c < 0 || c >= 26 || name.length >= MAX_BUCKET_LENGTH) continue;
  (BUCKETS[c * MAX_BUCKET_LENGTH + name.length] ??= []).push({ name, unix, windows });
}

/** A command-name character's index (`a`–`z` with upper case folded, `0`–`9`, `_`, `-`), else -1. */
function nameIndex(c: number): number {
  const l = c | 32;
  if (l >= 97 && l <= 122) return l - 97;
  if (c >= 48 && c <= 57) return c - 22;
  return c === 95 ? 36 : c === 45 ? 37 : -1;
}

/** Every command name the tables hold (tests and tools). */
export function commandNames(): string[] {
  return [...new Set([...UNIX.keys(), ...WINDOWS.keys()])];
}

/** The first three characters (folded) of every command name made of name characters only there. */
const PREFIXES = new Uint8Array(38 * 38 * 38);
for (const name of commandNames()) {
  if (name.length < 3) continue;
  const a = nameIndex(name.charCodeAt(0));
  const b = nameIndex(name.charCodeAt(1));
  const c = nameIndex(name.charCodeAt(2));
  if (a >= 0 && b >= 0 && c >= 0) PREFIXES[(a * 38 + b) * 38 + c] = 1;
}

/** Characters with which resolveCommand may find a name other than the word's own start (a path, caret, glob). */
const RENAMING = CH.SLASH | CH.BACKSLASH | CH.CARET | CH.QUESTION | CH.STAR | CH.LBRACKET;

/**
 * False when the three characters at `at` are name characters that no command name starts with (`Dan`,
 * `SKU`, `sel`): a plain word starting there is no command, whatever its length.
 */
export function mayStartCommandName(s: string, at: number): boolean {
  if (at + 3 > s.length) return true;
  const x = nameIndex(s.charCodeAt(at));
  const y = nameIndex(s.charCodeAt(at + 1));
  const z = nameIndex(s.charCodeAt(at + 2));
  if (x < 0 || y < 0 || z < 0) return true;
  return PREFIXES[(x * 38 + y) * 38 + z] === 1;
}

function globMatch(pattern: string, name: string): boolean {
  // `?` one char, `*` any run, `[..]` one char from a set; patterns are short (≤ 32), so the
  // classic two-pointer algorithm with a single star backtrack point stays linear enough.
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < name.length) {
    const pc = pattern[p];
    if (pc === '[') {
      const close = pattern.indexOf(']', p + 1);
      if (close > p && pattern.slice(p + 1, close).includes(name[t])) {
        p = close + 1;
        t += 1;
        continue;
      }
    } else if (pc === '?' || pc === name[t]) {
      p += 1;
      t += 1;
      continue;
    } else if (pc === '*') {
      starP = p;
      starT = t;
      p += 1;
      continue;
    }
    if (starP >= 0) {
      p = starP + 1;
      starT += 1;
      t = starT;
      continue;
    }
    return false;
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

export interface ResolvedCommand {
  name: string;
  info: CommandInfo;
  /** Found through a glob, path, caret, quotes or other spelling a person would not type. */
  disguised: boolean;
}

/** Resolves a command word: strips a directory (`/usr/bin/id`, `C:\Windows\System32\cmd.exe`) and `.exe`. */
export function resolveCommand(word: string, obfuscated: boolean): ResolvedCommand | null {
  if (word.length === 0 || word.length > 64) return null;
  const slash = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  let base = slash >= 0 ? word.slice(slash + 1) : word;
  const hasPath = slash >= 0;
  if (base.length === 0 || base.length > 32) return null;
  let disguised = obfuscated || hasPath;
  const unix = UNIX.get(base);
  if (unix !== undefined) return { name: base, info: unix, disguised };
  if (base.indexOf('?') >= 0 || base.indexOf('*') >= 0 || base.indexOf('[') >= 0) {
    // globbing only runs where there is a directory to search: `/???/c?t`, `/bin/ca*`
    if (hasPath && base.length >= 2) {
      for (const name of ALL_UNIX) if (name.length >= 2 && globMatch(base, name)) return { name, info: UNIX.get(name) as CommandInfo, disguised: true };
    }
    return null;
  }
  // cmd.exe: any case, carets are escapes (`w^h^o^a^m^i`), `.exe`/`.com` optional
  let lower = base.toLowerCase();
  if (lower.indexOf('^') >= 0) {
    lower = lower.split('^').join('');
    disguised = true;
  }
  if (lower.endsWith('.exe') || lower.endsWith('.com')) lower = lower.slice(0, -4);
  const win = WINDOWS.get(lower);
  if (win !== undefined) return { name: lower, info: win, disguised };
  const unixLower = lower !== base ? UNIX.get(lower) : undefined;
  // `/usr/bin/ID` does not run, but `CURL.exe` on Windows does: only .exe-suffixed unix names count
  if (unixLower !== undefined && base.toLowerCase().endsWith('.exe')) return { name: lower, info: unixLower, disguised };
  return null;
}

/** A character of a plain command word other than an upper-case letter: `a`–`z`, `0`–`9`, `_`, `-`. */
function isLowerNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/**
 * Cheap check for the prefilter: is s[start, end) a command name? Without a slice for the common case: a
 * plain word (letters, digits, `_`, `-`) whose first letter and length no command has (`SKU-1000`,
 * `Dana`) is rejected from the table; only paths, carets, globs and `.exe` need resolveCommand.
 */
export function isCommandNameAt(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n <= 0 || n > 64) return false;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isLowerNameChar(c)) continue;
    if (c >= 65 && c <= 90) upper = true;
    else return resolvesAt(s, start, end);
  }
  return plainWordIsCommand(s, start, n, upper);
}

/**
 * Whether the value's first word (after blanks and quotes; at most 41 characters, up to a blank) is a
 * command name: isCommandNameAt in the same pass that finds the word's end. With the value's CH mask
 * (`chars`), a word is first checked against the prefix table (mayStartCommandName), unless a `/ \ ^ ? * [`
 * anywhere could make resolveCommand find another name in it: most values leave without a walk over
 * their first word.
 */
export function firstWordIsCommand(s: string, chars?: number): boolean {
  let b = 0;
  for (let c = s.charCodeAt(0); c === 32 || c === 9 || c === 39 || c === 34; c = s.charCodeAt(++b));
  if (chars !== undefined && (chars & RENAMING) === 0 && !mayStartCommandName(s, b)) return false;
  let upper = false;
  let plain = true;
  let e = b;
  for (; e < s.length && e - b <= 40; e++) {
    const c = s.charCodeAt(e);
    if (c === 32 || c === 9) break;
    if (isLowerNameChar(c)) continue;
    if (c >= 65 && c <= 90) upper = true;
    else plain = false;
  }
  if (e === b) return false;
  return plain ? plainWordIsCommand(s, b, e - b, upper) : resolvesAt(s, b, e);
}

/**
 * A plain word (letters, digits, `_`, `-`) s[start, start + n) against its bucket: Unix names as spelled
 * (so never with upper case), Windows names in any case.
 */
function plainWordIsCommand(s: string, start: number, n: number, upper: boolean): boolean {
  if (n >= MAX_BUCKET_LENGTH) return false;
  const first = (s.charCodeAt(start) | 32) - 97;
  if (first < 0 || first >= 26) return false;
  const bucket = BUCKETS[first * MAX_BUCKET_LENGTH + n];
  if (bucket === undefined) return false;
  for (const e of bucket) {
    if (!upper) {
      if (s.startsWith(e.name, start)) return true;
    } else if (e.windows && equalsFoldedAt(s, start, e.name)) return true;
  }
  return false;
}

/** s[start, start + name.length) equals the lower-case `name` with ASCII letters folded. */
function equalsFoldedAt(s: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    const c = s.charCodeAt(start + k);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== name.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Only a directory, glob, caret or extension can turn a word with other characters into a name. Decided
 * without a slice when none of those is there, and when the only one is a dot that does not start a
 * `.exe`/`.com` ending a plain stem (`dana@example.com`, `v1.2`, `example.com` is `example`): no command
 * name has a dot or other punctuation of its own.
 */
function resolvesAt(s: string, start: number, end: number): boolean {
  let spelled = false;
  let dots = 0;
  let other = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    // / \ ? * [ ^
    if (c === 47 || c === 92 || c === 63 || c === 42 || c === 91 || c === 94) spelled = true;
    else if (c === 46) dots += 1;
    else if (!isLowerNameChar(c) && !(c >= 65 && c <= 90)) other = true;
  }
  if (!spelled && (other || dots !== 1 || !endsWithExtension(s, end))) return false;
  return resolveCommand(s.slice(start, end), false) !== null;
}

/** s[.., end) ends in `.exe` or `.com`, any case. */
function endsWithExtension(s: string, end: number): boolean {
  if (end < 4 || s.charCodeAt(end - 4) !== 46) return false;
  const ext = s.slice(end - 3, end).toLowerCase();
  return ext === 'exe' || ext === 'com';
}
