/**
 * A small evaluator for Log4j2 lookups (`${prefix:key}`), enough to see what a logged string turns into:
 * nested lookups are resolved innermost first, `${lower:x}` / `${upper:x}` change case, the default-value
 * syntax `${anything:-x}` (including the empty-prefix `${::-x}` trick) yields x because the attacker's
 * keys never resolve, `${date:'j'}` yields the quoted literal, and `${env:X}` / `${sys:X}` / other
 * unresolvable lookups yield their default or a placeholder naming them. Recursion depth, output length
 * and the number of lookups are bounded, so hostile input costs linear time.
 */
const MAX_DEPTH = 8;
const MAX_OUTPUT = 2048;
const MAX_LOOKUPS = 256;

export interface Evaluation {
  /** The string with lookups replaced. */
  text: string;
  /** Lookup prefixes seen (`jndi`, `env`, `sys`, `lower`, ...), lower-cased. */
  prefixes: Set<string>;
  /** Keys of env/sys/java/... lookups, for exfiltration detection. */
  dataKeys: string[];
  /**
   * Lookups with an empty name that exist only for their default (`${::-j}`, `${:-j}`): no configuration
   * writes them; they spell a word one letter at a time past filters.
   */
  emptyDefaults: number;
  /** Lookups whose name is itself built from lookups (`${${::-j}ndi:…}`, `${${lower:e}nv:…}`). */
  nestedNames: number;
}

interface State {
  lookups: number;
  prefixes: Set<string>;
  dataKeys: string[];
  emptyDefaults: number;
  nestedNames: number;
  /** A `$${` escape was seen: resolved defaults may hold lookups to substitute again. */
  escaped: boolean;
  /** Characters that may still be re-read when resolved defaults are substituted again. */
  rescanBudget: number;
}

/** Lookups that read the host environment: their values are what exfiltration payloads send out. */
const DATA_LOOKUPS = new Set(['env', 'sys', 'java', 'ctx', 'main', 'bundle', 'docker', 'k8s', 'kubernetes', 'spring', 'web', 'log4j', 'sd', 'marker', 'map', 'jvmrunargs', 'base64', 'hostname']);

/** Resolves one lookup body (already evaluated, nesting removed). */
function resolve(body: string, st: State, depth: number): string {
  st.lookups += 1;
  const colon = body.indexOf(':');
  // the default-value separator `:-` can appear anywhere after the prefix (`${::-j}`, `${env:NaN:-j}`)
  const dflt = body.indexOf(':-');
  const prefix = (colon >= 0 ? body.slice(0, colon) : body).trim().toLowerCase();
  if (prefix !== '') st.prefixes.add(prefix);
  const rest = colon >= 0 ? body.slice(colon + 1) : '';
  if (prefix === 'lower') return rest.toLowerCase();
  if (prefix === 'upper') return rest.toUpperCase();
  if (prefix === 'date') {
    // SimpleDateFormat: text in single quotes is literal
    const q1 = rest.indexOf("'");
    const q2 = q1 >= 0 ? rest.indexOf("'", q1 + 1) : -1;
    return q2 > q1 ? rest.slice(q1 + 1, q2) : '';
  }
  if (prefix === 'jndi') return `\${jndi:${rest}}`; // kept: it is the thing to find
  if (dflt >= 0) {
    if (body.slice(0, dflt).replace(/:/g, '').trim() === '') st.emptyDefaults += 1;
    // Log4j substitutes the resolved value again: `${::-$${::-j}}` → `${::-j}` → `j`.
    const value = body.slice(dflt + 2);
    // Only text an escape turned into a lookup is new (the rest was evaluated already, or lies beyond the
    // depth bound), and re-reading is paid from a per-string budget so nesting cannot multiply the work.
    if (depth >= MAX_DEPTH || !st.escaped || value.indexOf('${') < 0 || st.rescanBudget < value.length) return value;
    st.rescanBudget -= value.length;
    return evaluateFrom(value, 0, depth + 1, st, false).text;
  }
  if (DATA_LOOKUPS.has(prefix)) {
    st.dataKeys.push(`${prefix}:${rest}`);
    return `<${prefix}:${rest}>`;
  }
  return '';
}

function capped(text: string): string {
  return text.length > MAX_OUTPUT ? text.slice(0, MAX_OUTPUT) : text;
}

function evaluateFrom(s: string, i: number, depth: number, st: State, closeAtBrace: boolean): { text: string; end: number } {
  let out = '';
  while (i < s.length && out.length < MAX_OUTPUT) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '$' && s[i + 2] === '{') {
      // `$${x}` is Log4j's escape: the literal text `${x}`, substituted only if a later pass sees it.
      const close = s.indexOf('}', i + 3);
      const end = close < 0 ? s.length : close + 1;
      out = capped(out + s.slice(i + 1, end));
      st.escaped = true;
      i = end;
      continue;
    }
    if (c === '$' && s[i + 1] === '{' && depth < MAX_DEPTH && st.lookups < MAX_LOOKUPS) {
      const nameNested = s[i + 2] === '$' && s[i + 3] === '{';
      if (nameNested) st.nestedNames += 1;
      const inner = evaluateFrom(s, i + 2, depth + 1, st, true);
      out = capped(out + resolve(inner.text, st, depth + 1));
      i = inner.end;
      continue;
    }
    if (c === '}' && closeAtBrace) return { text: out, end: i + 1 };
    out += c;
    i += 1;
  }
  return { text: out, end: i };
}

export function evaluateLookups(s: string): Evaluation {
  const st: State = { lookups: 0, prefixes: new Set(), dataKeys: [], emptyDefaults: 0, nestedNames: 0, escaped: false, rescanBudget: MAX_OUTPUT };
  const { text } = evaluateFrom(s, 0, 0, st, false);
  return { text, prefixes: st.prefixes, dataKeys: st.dataKeys, emptyDefaults: st.emptyDefaults, nestedNames: st.nestedNames };
}
