/**
 * HTML character references as a browser decodes them in attribute values and text: named references
 * (the set that matters for markup and script syntax), decimal and hex references with or without the
 * trailing ';' and with any number of leading zeros. Two passes catch `&amp;lt;`.
 */
const NAMED: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', semi: ';', comma: ',',
  period: '.', sol: '/', bsol: '\\', lpar: '(', rpar: ')', lsqb: '[', rsqb: ']', lbrack: '[', rbrack: ']',
  lcub: '{', rcub: '}', lbrace: '{', rbrace: '}', equals: '=', excl: '!', num: '#', dollar: '$',
  percnt: '%', plus: '+', grave: '`', hat: '^', lowbar: '_', verbar: '|', vert: '|', tab: '\t',
  newline: '\n', quest: '?', commat: '@', ast: '*', midast: '*', hyphen: '-', dash: '-', tilde: '~',
  ltrif: '<', gtrif: '>', nvlt: '<', nvgt: '>',
};

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function decodeOnce(s: string): string {
  let i = s.indexOf('&');
  if (i < 0) return s;
  let out = s.slice(0, i);
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (c !== '&') {
      let next = s.indexOf('&', i + 1);
      if (next < 0) next = n;
      out += s.slice(i, next);
      i = next;
      continue;
    }
    if (s[i + 1] === '#') {
      let j = i + 2;
      const hex = s[j] === 'x' || s[j] === 'X';
      if (hex) j += 1;
      const start = j;
      let cp = 0;
      while (j < n && j - start < 16) {
        const d = s.charCodeAt(j);
        const v = d >= 48 && d <= 57 ? d - 48 : hex && d >= 97 && d <= 102 ? d - 87 : hex && d >= 65 && d <= 70 ? d - 55 : -1;
        if (v < 0) break;
        cp = cp * (hex ? 16 : 10) + v;
        j += 1;
      }
      if (j > start) {
        out += cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
        i = s[j] === ';' ? j + 1 : j;
        continue;
      }
    } else {
      let j = i + 1;
      while (j < n && j - i <= 10 && isAsciiLetter(s.charCodeAt(j))) j += 1;
      const name = s.slice(i + 1, j);
      const hit = NAMED[name] ?? NAMED[name.toLowerCase()];
      if (hit !== undefined) {
        out += hit;
        i = s[j] === ';' ? j + 1 : j;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  return out;
}

export function htmlDecode(s: string): string {
  const once = decodeOnce(s);
  return once === s ? s : decodeOnce(once);
}
