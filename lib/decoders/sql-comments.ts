/**
 * Replaces SQL block comments with one space, as the SQL lexer would (`UN/**\/ION` style splitting is
 * then `UN ION`, and `SEL/*x*\/ECT` becomes `SEL ECT` — use the tokenizer for inline splitting). MySQL
 * executable comments `/*! ... *\/` and `/*!50001 ... *\/` keep their content, because MySQL runs it.
 * An unterminated comment swallows the rest, as in MySQL.
 */
export function stripSqlComments(s: string): string {
  if (s.indexOf('/*') < 0) return s;
  let out = '';
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (s[i] === '/' && s[i + 1] === '*') {
      if (s[i + 2] === '!') {
        let j = i + 3;
        while (j < n && j - i - 3 < 5 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j += 1;
        const end = s.indexOf('*/', j);
        out += ' ' + (end < 0 ? s.slice(j) : s.slice(j, end)) + ' ';
        i = end < 0 ? n : end + 2;
        continue;
      }
      const end = s.indexOf('*/', i + 2);
      out += ' ';
      i = end < 0 ? n : end + 2;
      continue;
    }
    out += s[i];
    i += 1;
  }
  return out;
}
