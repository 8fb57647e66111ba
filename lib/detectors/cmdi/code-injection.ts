/**
 * Code injection seen in command-execution payload lists: a call to a function that runs commands or
 * code (PHP `system(`/`passthru(`/`eval(`, Python `os.system(`/`__import__('os')`, Node
 * `require('child_process')`, Java `Runtime.getRuntime().exec(`), PHP's complex-syntax evaluation
 * `${@print(...)}` / `{${phpinfo()}}`, `<?php` openers, and server-side includes `<!--#exec cmd=…-->`.
 * Works on the lower-cased value; looks only at the identifier right before each `(`.
 */
export interface CodeFinding {
  confidence: number;
  detail: string;
  start: number;
}

/** Callee → confidence when called with a string/variable argument. */
const CALLEES: ReadonlyMap<string, number> = new Map([
  ['system', 0.95], ['passthru', 0.95], ['shell_exec', 0.95], ['popen', 0.9], ['proc_open', 0.95], ['pcntl_exec', 0.95],
  ['exec', 0.8], ['eval', 0.75], ['assert', 0.7], ['create_function', 0.85], ['call_user_func', 0.7],
  ['os.system', 0.95], ['os.popen', 0.95], ['subprocess.call', 0.9], ['subprocess.popen', 0.9], ['subprocess.run', 0.9],
  ['subprocess.check_output', 0.95], ['__import__', 0.85], ['child_process.exec', 0.95], ['child_process.execsync', 0.95],
  ['child_process.spawn', 0.95], ['.getruntime().exec', 0.95], ['runtime.getruntime', 0.9], ['processbuilder', 0.85],
  ['execsync', 0.85], ['spawnsync', 0.85],
]);

/** Calls that are an attack on their own, arguments or not. */
const PROBES: ReadonlyMap<string, number> = new Map([['phpinfo', 0.9], ['sleep', 0.0], ['md5', 0.0]]);

const MAX_CALLS = 64;

/** Text that loads the module named right after it: `require(`, `import(`, `from`, then a quote. */
const LOADS_MODULE = /(?:\b(?:require|import)\s*\(\s*|\bfrom\s*)['"`](?:node:)?$/;

function identifierBefore(s: string, paren: number): { name: string; start: number } {
  let e = paren;
  while (e > 0 && (s[e - 1] === ' ' || s[e - 1] === '\t')) e -= 1;
  let b = e;
  while (b > 0) {
    const c = s.charCodeAt(b - 1);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 36 || c === 40 || c === 41) {
      // allow `.getruntime().exec`: parentheses only when directly followed by a dot
      if ((c === 40 || c === 41) && s[b] !== '.' && s[b] !== ')') break;
      b -= 1;
    } else break;
    if (e - b > 48) break;
  }
  return { name: s.slice(b, e), start: b };
}

export function analyzeCode(lower: string): CodeFinding | null {
  let best: CodeFinding | null = null;
  const take = (confidence: number, detail: string, start: number): void => {
    if (best === null || confidence > best.confidence) best = { confidence, detail, start };
  };
  const ssi = lower.indexOf('<!--#');
  if (ssi >= 0 && /^<!--#\s*(exec|include|echo|config|printenv|fsize|flastmod)\b/.test(lower.slice(ssi, ssi + 24))) {
    take(lower.startsWith('exec', ssi + 5) || lower.indexOf('cmd=', ssi) > 0 ? 0.95 : 0.8, 'cmdi:ssi', ssi);
  }
  const php = lower.indexOf('<?php');
  if (php >= 0) take(0.9, 'cmdi:code:php-open', php);
  // PHP complex (curly) syntax evaluates the expression inside: `${@print(md5(1))}`, `{${phpinfo()}}`
  for (const opener of ['${@', '{${']) {
    const at = lower.indexOf(opener);
    if (at < 0) continue;
    let k = at + opener.length;
    while (k < lower.length && k - at < 32 && /[a-z0-9_@]/.test(lower[k])) k += 1;
    if (lower[k] === '(' && k > at + opener.length + 1) take(0.9, 'cmdi:code:php-curly', at);
  }
  // The module loaded (`require('child_process')`, `import('node:child_process')`, `from "child_process"`),
  // not the name mentioned: docs and questions about Node name it all the time. Its method calls
  // (`child_process.exec(`) are callees below.
  for (let at = lower.indexOf('child_process'), seen = 0; at >= 0 && seen < 8; at = lower.indexOf('child_process', at + 1), seen++) {
    if (LOADS_MODULE.test(lower.slice(Math.max(0, at - 16), at))) {
      take(0.95, 'cmdi:code:node-child_process', at);
      break;
    }
  }
  let calls = 0;
  for (let p = lower.indexOf('('); p >= 0 && calls < MAX_CALLS; p = lower.indexOf('(', p + 1)) {
    calls += 1;
    const { name, start } = identifierBefore(lower, p);
    if (name.length < 4) continue;
    const dot = name.lastIndexOf('.');
    const bare = name.replace(/^[@$]+/, '');
    const tail = dot >= 0 ? name.slice(dot + 1) : bare;
    let arg = p + 1;
    while (arg < lower.length && lower[arg] === ' ') arg += 1;
    const a = lower[arg];
    const probe = PROBES.get(bare);
    if (probe !== undefined && probe > 0 && a === ')') {
      take(probe, `cmdi:code:${bare}`, start);
      continue;
    }
    let conf = CALLEES.get(bare) ?? CALLEES.get(name) ?? (name.endsWith('.getruntime().exec') ? 0.95 : undefined);
    if (conf === undefined && dot >= 0 && (tail === 'system' || tail === 'popen' || tail === 'exec' || tail === 'execsync')) {
      // a method call such as `x.exec(` is usually a regex/DB API; only module-qualified shells count
      const owner = name.slice(0, dot);
      conf = owner === 'os' || owner.endsWith('child_process') || owner.endsWith('subprocess') ? 0.95 : undefined;
    }
    if (conf === undefined) continue;
    // the argument must be something a call takes: a string, a variable, a nested call, a backtick
    // exec/eval/assert are also everyday JS/regex/DB methods: only a literal or PHP variable argument counts
    const literal = a === "'" || a === '"' || a === '`' || a === '$';
    if (literal || (conf >= 0.9 && a !== undefined && /[a-z_]/.test(a))) take(conf, `cmdi:code:${bare}`, start);
  }
  return best;
}
