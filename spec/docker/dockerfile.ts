/**
 * A small Dockerfile reader for the static checks: stages, instructions with line continuations joined,
 * ENV key/value pairs (both `ENV k=v k2="v 2"` and legacy `ENV k v`), COPY sources.
 */
export interface Instruction {
  stage: string;
  keyword: string;
  args: string;
  line: number;
}

export interface Dockerfile {
  stages: string[];
  instructions: Instruction[];
  /** ENV values per stage (later ENV overrides earlier). */
  env: Map<string, Map<string, string>>;
}

/** Splits `a=b c="d e" f='g'` into pairs, honouring quotes and backslash escapes. */
export function parseEnvPairs(args: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  const n = args.length;
  while (i < n) {
    while (i < n && /\s/.test(args[i])) i++;
    if (i >= n) break;
    let key = '';
    while (i < n && args[i] !== '=' && !/\s/.test(args[i])) key += args[i++];
    if (args[i] !== '=') {
      // legacy form: ENV key value...
      pairs.push([key, args.slice(i).trim()]);
      break;
    }
    i++;
    let value = '';
    if (args[i] === '"' || args[i] === "'") {
      const q = args[i++];
      while (i < n && args[i] !== q) {
        if (args[i] === '\\' && q === '"' && i + 1 < n) i++;
        value += args[i++];
      }
      i++;
    } else {
      while (i < n && !/\s/.test(args[i])) value += args[i++];
    }
    pairs.push([key, value]);
  }
  return pairs;
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  const stages: string[] = [];
  const env = new Map<string, Map<string, string>>();
  let stage = '';
  let buf = '';
  let startLine = 0;
  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx];
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buf === '') startLine = idx + 1;
    if (trimmed.startsWith('#')) continue;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*(.*)$/s.exec(buf);
    buf = '';
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    const args = m[2];
    if (keyword === 'FROM') {
      const as = /\sAS\s+(\S+)\s*$/i.exec(args);
      stage = as ? as[1] : String(stages.length);
      stages.push(stage);
      env.set(stage, new Map());
    }
    if (keyword === 'ENV') for (const [k, v] of parseEnvPairs(args)) env.get(stage)?.set(k, v);
    instructions.push({ stage, keyword, args, line: startLine });
  }
  return { stages, instructions, env };
}
