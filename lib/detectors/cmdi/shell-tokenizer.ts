/**
 * A small POSIX-sh (and cmd.exe-tolerant) lexer: enough of the shell's word rules to see the command
 * words an injected value would run, whatever the spelling. It resolves quote removal (`c'a't`, `"id"`),
 * backslash escapes (`c\at`), empty expansions used as spacers (`$@`, `$*`, `$9`, `${x}`-less `$IFS$9`),
 * `$IFS`/`${IFS}` as whitespace, brace expansion (`{cat,/etc/passwd}` → two words), and yields the
 * operators that start a new command: `;` `&` `&&` `|` `||` newline, `$(` and backticks (substitution),
 * `(` (subshell), plus redirections. Linear in the input; never backtracks.
 */

export type TokenKind = 'word' | 'sep' | 'subst' | 'close' | 'redir';

export interface Token {
  kind: TokenKind;
  /** For words: the text after quote removal; for operators: the operator. */
  text: string;
  /** Offset in the input where the token starts. */
  start: number;
  /** The word had quotes, escapes or expansions inside it (an evasion hint when it is a command name). */
  obfuscated?: boolean;
}

const MAX_TOKENS = 512;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\v' || c === '\f';
}

/** `{a,b,c}` at the top level of a word → its parts; otherwise null. */
function braceParts(word: string): string[] | null {
  if (word.length < 4 || word[0] !== '{' || word[word.length - 1] !== '}' || word.indexOf(',') < 0) return null;
  const inner = word.slice(1, -1);
  if (inner.indexOf('{') >= 0 || inner.indexOf('}') >= 0) return null;
  return inner.split(',');
}

/**
 * Tokenizes `s`. `quoteContext` is the quote the value is assumed to sit inside (`'` or `"`), for
 * payloads that start by closing it (`';id;'`); '' means unquoted.
 */
export function tokenizeShell(s: string, quoteContext: '' | "'" | '"' = '', windows = false): Token[] {
  const tokens: Token[] = [];
  const n = s.length;
  let word = '';
  let wordStart = -1;
  let obfuscated = false;
  let quote: '' | "'" | '"' = quoteContext;
  let inBacktick = false;

  const flush = (): void => {
    if (wordStart < 0) return;
    const parts = braceParts(word);
    if (parts !== null) {
      for (const p of parts) tokens.push({ kind: 'word', text: p, start: wordStart, obfuscated: true });
    } else tokens.push({ kind: 'word', text: word, start: wordStart, obfuscated });
    word = '';
    wordStart = -1;
    obfuscated = false;
  };
  const op = (kind: TokenKind, text: string, at: number): void => {
    flush();
    tokens.push({ kind, text, start: at });
  };
  const addChar = (ch: string, at: number): void => {
    if (wordStart < 0) wordStart = at;
    word += ch;
  };

  let i = 0;
  while (i < n && tokens.length < MAX_TOKENS) {
    const c = s[i];
    if (quote === "'") {
      if (c === "'") {
        quote = '';
        obfuscated = true;
        if (wordStart < 0) wordStart = i;
      } else addChar(c, i);
      i += 1;
      continue;
    }
    if (quote === '"') {
      if (c === '"') {
        quote = '';
        obfuscated = true;
        if (wordStart < 0) wordStart = i;
        i += 1;
        continue;
      }
      if (c === '\\' && i + 1 < n && '"\\$`'.includes(s[i + 1])) {
        addChar(s[i + 1], i);
        i += 2;
        continue;
      }
      // command substitution still runs inside double quotes
      if ((c === '$' && s[i + 1] === '(') || c === '`') {
        quote = '';
        // fall through to the unquoted handling of the substitution
      } else {
        addChar(c, i);
        i += 1;
        continue;
      }
    }
    if (c === "'" || c === '"') {
      quote = c;
      obfuscated = true;
      if (wordStart < 0) wordStart = i;
      i += 1;
      continue;
    }
    if (windows && c === '^' && i + 1 < n) {
      // cmd.exe: caret escapes the next character (`w^h^o^a^m^i`)
      addChar(s[i + 1], i);
      obfuscated = true;
      i += 2;
      continue;
    }
    if (c === '\\' && !windows) {
      if (i + 1 < n && (s[i + 1] === '\n' || s[i + 1] === '\r')) {
        i += 2; // line continuation
        continue;
      }
      if (i + 1 < n) {
        addChar(s[i + 1], i);
        obfuscated = true;
        i += 2;
        continue;
      }
      i += 1;
      continue;
    }
    if (isSpace(c)) {
      flush();
      i += 1;
      continue;
    }
    if (c === '\n' || c === '\r') {
      op('sep', '\n', i);
      i += 1;
      continue;
    }
    if (c === ';') {
      op('sep', ';', i);
      i += 1;
      continue;
    }
    if (c === '&' || c === '|') {
      const two = s[i + 1] === c;
      if (c === '&' && s[i + 1] === '>') {
        op('redir', '&>', i);
        i += 2;
        continue;
      }
      op('sep', two ? c + c : c, i);
      i += two ? 2 : 1;
      continue;
    }
    if (c === '`') {
      if (inBacktick) op('close', '`', i);
      else op('subst', '`', i);
      inBacktick = !inBacktick;
      i += 1;
      continue;
    }
    if (c === '$') {
      const next = s[i + 1];
      if (next === '(') {
        const arith = s[i + 2] === '(';
        op('subst', '$(', i);
        i += arith ? 3 : 2;
        continue;
      }
      if (next === '{') {
        const close = s.indexOf('}', i + 2);
        if (close > 0 && close - i < 40) {
          const name = s.slice(i + 2, close);
          if (name === 'IFS') flush();
          else if (/^[A-Za-z_0-9@*#?!-]*$/.test(name) && name.length <= 2) obfuscated = true; // ${9} ${@}: empty
          else addChar(s.slice(i, close + 1), i);
          i = close + 1;
          continue;
        }
      }
      if (s.startsWith('IFS', i + 1)) {
        flush();
        i += 4;
        continue;
      }
      if (next === '@' || next === '*' || (next !== undefined && next >= '0' && next <= '9')) {
        obfuscated = true; // positional parameters expand to nothing in an injected context
        if (wordStart < 0) wordStart = i;
        i += 2;
        continue;
      }
      addChar(c, i);
      i += 1;
      continue;
    }
    if (c === '(') {
      if (wordStart < 0) {
        op('subst', '(', i);
        i += 1;
        continue;
      }
      addChar(c, i);
      i += 1;
      continue;
    }
    if (c === ')') {
      op('close', ')', i);
      i += 1;
      continue;
    }
    if (c === '>' || c === '<') {
      let j = i + 1;
      while (j < n && j - i < 3 && (s[j] === '>' || s[j] === '<' || s[j] === '&')) j += 1;
      // `2>` : the digit belongs to the redirection
      if (wordStart >= 0 && /^[0-9]$/.test(word)) {
        word = '';
        wordStart = -1;
      }
      op('redir', s.slice(i, j), i);
      i = j;
      continue;
    }
    addChar(c, i);
    i += 1;
  }
  flush();
  return tokens;
}
