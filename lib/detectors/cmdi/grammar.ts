/**
 * The command-injection grammar over shell tokens: a command position (the start of the value, or just
 * after `;` `&` `|` `&&` `||` newline `$(` backtick `(`) holding a known command word whose arguments
 * look like what that kind of command is run with. See commands.ts for the kinds.
 */
import { resolveCommand, type ResolvedCommand } from './commands';
import { tokenizeShell, type Token } from './shell-tokenizer';

export interface CmdFinding {
  confidence: number;
  detail: string;
  start: number;
}

type Opening = 'start' | 'sep' | 'pipe' | 'subst';

/** How shell-like the arguments are. */
interface ArgShape {
  none: boolean;
  flags: boolean;
  systemPath: boolean;
  url: boolean;
  number: boolean;
  host: boolean;
  quoted: boolean;
  redirect: boolean;
  /** Words that are neither flags, paths, numbers nor hosts: prose after an English command word. */
  plainWords: number;
  args: string[];
}

const SYSTEM_PATH_PREFIXES = ['/etc/', '/bin/', '/sbin/', '/usr/', '/tmp/', '/dev/', '/proc/', '/var/', '/root', '/home/', '/opt/', '~/', 'c:\\', 'c:/', '%systemroot%', '%windir%', '%temp%', '\\\\'];

/** Top-level directories of a Unix system; `/`, `/*` and these alone are where `rm -rf`, `chmod -R` aim. */
const ROOT_DIRS = new Set(['etc', 'bin', 'sbin', 'usr', 'var', 'tmp', 'home', 'root', 'dev', 'proc', 'sys', 'opt', 'boot', 'lib', 'lib64', 'srv', 'mnt']);

function isSystemRoot(lw: string): boolean {
  if (lw === '/' || lw === '/*') return true;
  if (lw[0] !== '/') return false;
  const name = lw.endsWith('/') ? lw.slice(1, -1) : lw.slice(1);
  return ROOT_DIRS.has(name);
}

function isNumber(w: string): boolean {
  if (w.length === 0 || w.length > 8) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (i === w.length - 1 && (c === 115 || c === 109)))) return false; // 5, 5s, 1m
  }
  return true;
}

function isHostLike(w: string): boolean {
  // dotted quad or a dotted hostname
  let dots = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 45)) return false;
  }
  return dots >= 1 && w.length >= 4 && w.charCodeAt(0) !== 46;
}

/** Index of the `close` that ends the substitution opened at `open` (the last token when unclosed). */
function substitutionEnd(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].kind === 'subst') depth += 1;
    else if (tokens[i].kind === 'close' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function shapeArgs(tokens: readonly Token[], from: number, raw: string): { shape: ArgShape; end: number } {
  const shape: ArgShape = { none: true, flags: false, systemPath: false, url: false, number: false, host: false, quoted: false, redirect: false, plainWords: 0, args: [] };
  let i = from;
  for (; i < tokens.length && shape.args.length < 8; i++) {
    const t = tokens[i];
    if (t.kind === 'sep' || t.kind === 'close') break;
    if (t.kind === 'subst') {
      shape.none = false;
      shape.quoted = true; // an argument computed by a substitution
      // the words inside belong to the substituted command, not to this one's arguments
      i = substitutionEnd(tokens, i);
      continue;
    }
    if (t.kind === 'redir') {
      shape.redirect = true;
      shape.none = false;
      continue;
    }
    const w = t.text;
    shape.none = false;
    shape.args.push(w);
    const lw = w.toLowerCase();
    const c0 = raw[t.start];
    if (c0 === "'" || c0 === '"') shape.quoted = true;
    if ((w[0] === '-' && w.length >= 2 && w.length <= 16) || (w[0] === '/' && w.length <= 4 && /^\/[a-z?]{1,3}$/i.test(w))) shape.flags = true;
    else if (lw.startsWith('http://') || lw.startsWith('https://') || lw.startsWith('ftp://') || lw.startsWith('tcp://')) shape.url = true;
    else if (SYSTEM_PATH_PREFIXES.some((p) => lw.startsWith(p)) || (lw.startsWith('/') && lw.indexOf('/', 1) > 0) || isSystemRoot(lw)) shape.systemPath = true;
    else if (isNumber(w)) shape.number = true;
    else if (isHostLike(lw)) shape.host = true;
    else if (!shape.quoted) shape.plainWords += 1;
  }
  return { shape, end: i };
}

/** Confidence for one command at a command position, or 0. */
function scoreCommand(cmd: ResolvedCommand, opening: Opening, a: ArgShape, nextIsEnd: boolean): number {
  const { kind, english } = cmd.info;
  const name = cmd.name;
  const shelly = a.flags || a.systemPath || a.url || a.redirect || a.number || a.host;
  let score = 0;
  // Commands whose first argument is a verb of their own: recognised by that verb, prose rules do not apply.
  const verb = (a.args[0] ?? '').toLowerCase();
  if ((name === 'net' || name === 'net1') && /^(user|localgroup|group|view|share|use|start|stop|accounts|session)$/.test(verb)) score = 0.9;
  else if (name === 'reg' && /^(add|query|delete|save|export)$/.test(verb)) score = 0.9;
  else if ((name === 'netsh' && /^(firewall|advfirewall|interface|wlan|http)$/.test(verb)) || ((name === 'vssadmin' || name === 'bcdedit' || name === 'schtasks') && !a.none)) score = 0.9;
  else if (name === 'which' && a.args.length === 1 && resolveCommand(a.args[0], false) !== null) score = 0.8;
  if (score > 0) {
    if (opening === 'start') score -= 0.1;
    return cmd.disguised ? Math.min(0.98, score + 0.05) : score;
  }
  switch (kind) {
    case 'probe':
      if (a.none) score = english ? 0.85 : 0.95;
      else if (a.flags && a.plainWords === 0) score = 0.9;
      else if (shelly && a.plainWords <= 1) score = 0.8;
      break;
    case 'fetch':
      if (a.url || a.host) score = 0.95;
      else if (a.flags && (a.number || a.systemPath)) score = 0.9;
      else if (a.flags && !english) score = 0.8;
      else if (a.none && !english && opening !== 'start') score = 0.6;
      break;
    case 'interp': {
      const inline = a.args.some((w) => /^-(c|e|i|enc|encodedcommand|nop|noprofile|w|windowstyle|exec|r)$/i.test(w) || /^\/[ck]$/i.test(w));
      if (inline) score = 0.95;
      else if (a.systemPath || a.url) score = 0.85;
      else if (a.none && opening === 'pipe' && !english) score = 0.9; // `| sh`, `| bash`
      else if (a.quoted && !english && a.plainWords === 0) score = 0.8;
      break;
    }
    case 'read':
      if (a.systemPath) score = 0.95;
      else if (a.flags && a.plainWords === 0) score = 0.75;
      else if (a.redirect) score = 0.7;
      break;
    case 'act':
      if ((name === 'sleep' || name === 'timeout') && a.number && a.args.length <= 2) score = 0.9;
      else if (name === 'echo' && (a.quoted || a.redirect) && opening !== 'start') score = 0.75;
      else if (name === 'echo' && a.redirect) score = 0.7;
      else if (a.systemPath && (a.flags || !english)) score = 0.9;
      else if (a.flags && !english && a.plainWords === 0) score = 0.75;
      else if (a.redirect && !english) score = 0.7;
      break;
  }
  if (score === 0) return 0;
  // Prose after an English word ("…; sleep well") is not a command line.
  if (english && a.plainWords >= 2 && !a.systemPath && !a.url) return 0;
  if (opening === 'subst') score = Math.max(score, 0.9);
  if (opening === 'start') {
    // A value that merely is a command line, with nothing injected around it.
    if (english && !shelly && !a.quoted) return a.none && nextIsEnd && kind === 'probe' ? 0.3 : 0;
    score -= 0.1;
    if (a.none && kind === 'probe') score = english ? 0.3 : 0.7;
  }
  if (cmd.disguised && score > 0) score = Math.min(0.98, score + 0.05);
  return score;
}

/** Arguments only a command line has: flags, system paths, URLs, hosts, redirections; no prose words. */
function commandLineArgs(a: ArgShape): boolean {
  return (a.flags || a.systemPath || a.url || a.host || a.redirect) && a.plainWords === 0;
}

const CODE_SPAN = /`[^`]*`/g;
const PROSE_WORD = /(?:^|\s)[A-Za-z][a-z]+[,.:;!?]?(?=\s|$)/g;
const PROSE_WORDS = 5;

/**
 * True for prose that quotes code in backticks, markdown's code spans: at least five plain words outside
 * the spans. There `` `id` `` or `` `set` `` names a command rather than running one; a span whose
 * arguments are a command line's (`` `cat /etc/passwd` ``, `` `ls -la` ``) is still read as a command.
 */
export function isProseWithCodeSpans(raw: string): boolean {
  const outside = raw.replace(CODE_SPAN, ' ');
  let words = 0;
  PROSE_WORD.lastIndex = 0;
  while (words < PROSE_WORDS && PROSE_WORD.exec(outside) !== null) words += 1;
  return words >= PROSE_WORDS;
}

/** Scans one tokenization for the strongest command at a command position. */
function scanTokens(tokens: readonly Token[], raw: string, first: Opening): CmdFinding | null {
  let best: CmdFinding | null = null;
  let opening: Opening | null = first;
  // A multi-line document (GraphQL, a message, code) has newlines that separate lines, not commands.
  let newlines = 0;
  let operators = 0;
  for (const t of tokens) {
    if (t.kind === 'sep' && t.text === '\n') newlines += 1;
    if (t.kind !== 'word') operators += 1;
  }
  const document = newlines >= 3 && raw.length > 60;
  // A markdown table uses `|` as a column rule
  const markdownTable = raw.indexOf('|') >= 0 && /\|\s*:?-{3,}/.test(raw);
  // A blob dense with operators (sensor data, minified code, ciphertext in printable form)
  const blob = operators > 12 && operators * 8 > tokens.length * 3 && raw.length > 100;
  // Prose with markdown code spans ("set with the `set` command"): decided once, when a backtick opens
  let prose: boolean | null = null;
  let backtick = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'sep') {
      if ((t.text === '\n' && document) || (t.text === '|' && markdownTable)) opening = null;
      else opening = t.text === '|' || t.text === '||' ? 'pipe' : 'sep';
      continue;
    }
    if (t.kind === 'subst') {
      opening = 'subst';
      backtick = t.text === '`';
      continue;
    }
    if (t.kind === 'close' || t.kind === 'redir') {
      opening = null;
      continue;
    }
    if (opening === null) continue;
    let k = i;
    // leading assignments `A=b cmd`
    while (k < tokens.length && tokens[k].kind === 'word' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[k].text) && k - i < 4) k += 1;
    const word = tokens[k];
    if (word !== undefined && word.kind === 'word' && word.text === '') continue; // a bare quote, e.g. the `'` of `' whoami`
    const how = opening;
    opening = null;
    if (word === undefined || word.kind !== 'word') continue;
    const cmd = resolveCommand(word.text, word.obfuscated === true);
    if (cmd === null) continue;
    const { shape, end } = shapeArgs(tokens, k + 1, raw);
    const nextIsEnd = end >= tokens.length;
    let score = scoreCommand(cmd, how, shape, nextIsEnd);
    if (score > 0 && how === 'subst' && backtick && !commandLineArgs(shape)) {
      if (prose === null) prose = isProseWithCodeSpans(raw);
      if (prose) score = 0;
    }
    if (blob && (score < 0.9 || (cmd.info.english && shape.none) || cmd.name.length <= 2)) score = 0;
    if (score > 0 && (best === null || score > best.confidence)) {
      best = { confidence: score, detail: `cmdi:${how}:${cmd.info.kind}:${cmd.name}`, start: word.start };
    }
    i = k;
  }
  return best;
}

/**
 * Analyses a decoded value in the contexts it could have been pasted into: unquoted, and inside single
 * or double quotes (when it contains that quote, i.e. could be breaking out of it).
 */
export function analyzeShell(s: string): CmdFinding | null {
  let best = scanTokens(tokenizeShell(s, ''), s, 'start');
  const consider = (f: CmdFinding | null): void => {
    if (f !== null && (best === null || f.confidence > best.confidence)) best = f;
  };
  for (const q of ["'", '"'] as const) {
    const at = s.indexOf(q);
    if (at < 0) continue;
    // a value that opens by closing the quote it sits in has broken out: what follows is a new command
    const breakout = s.slice(0, at).trim() === '';
    consider(scanTokens(tokenizeShell(s, q), s, breakout ? 'sep' : 'start'));
  }
  // cmd.exe reads backslashes literally and carets as escapes
  if (s.indexOf('\\') >= 0 || s.indexOf('^') >= 0) consider(scanTokens(tokenizeShell(s, '', true), s, 'start'));
  return best;
}
