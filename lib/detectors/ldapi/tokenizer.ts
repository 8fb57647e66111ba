/**
 * RFC 4515 LDAP search-filter lexer: `(&(uid=*)(|(cn=a*b)(!(objectClass=x))))`.
 *   ( ) & | !          structure
 *   attr               attribute description: `cn`, `userPassword`, `2.5.4.3`, `cn;lang-en`
 *   = ~= >= <= :=      match types (`:dn:=`, `:1.2.840:=` extensible matches fold into `:=`)
 *   value              assertion value up to `)` — `*` wildcards and `\XX` escapes stay inside
 *   nul                a NUL byte (raw, `\00`, or `\x00`): truncates the filter in C-based servers
 * The lexer is positional: after a match type it reads a value, elsewhere an attribute. Linear.
 */
export type LdapKind = '(' | ')' | '&' | '|' | '!' | 'attr' | 'op' | 'value' | 'nul' | 'other';

export interface LdapToken {
  kind: LdapKind;
  text: string;
  start: number;
  end: number;
}

function isAttrChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 59 || c === 95;
}

/** NUL in any of its spellings at `i`: returns its length, or 0. */
export function nulAt(s: string, i: number): number {
  if (s.charCodeAt(i) === 0) return 1;
  if (s[i] === '\\') {
    if (s[i + 1] === '0' && s[i + 2] === '0') return 3;
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && s[i + 2] === '0' && s[i + 3] === '0') return 4;
  }
  return 0;
}

export class LdapLexer {
  private pos: number;
  private expectValue = false;

  constructor(
    private readonly s: string,
    start = 0,
    /** Start inside an assertion value (the value the app placed after `attr=`). */
    inValue = false,
  ) {
    this.pos = start;
    this.expectValue = inValue;
  }

  next(): LdapToken | null {
    const s = this.s;
    const n = s.length;
    if (this.pos >= n) return null;
    const start = this.pos;
    const nul = nulAt(s, start);
    if (nul > 0) {
      this.pos += nul;
      return { kind: 'nul', text: '\\00', start, end: this.pos };
    }
    if (this.expectValue) {
      // an assertion value runs to the next `)` (or `(`, which RFC 4515 forbids unescaped) or NUL
      let e = start;
      while (e < n && s[e] !== ')' && s[e] !== '(' && nulAt(s, e) === 0) e += s[e] === '\\' ? 3 : 1;
      if (e > n) e = n;
      this.expectValue = false;
      if (e > start) {
        this.pos = e;
        return { kind: 'value', text: s.slice(start, e), start, end: e };
      }
    }
    const ch = s[start];
    if (ch === '(' || ch === ')' || ch === '&' || ch === '|' || ch === '!') {
      this.pos = start + 1;
      return { kind: ch, text: ch, start, end: start + 1 };
    }
    if (ch === '=' || ((ch === '~' || ch === '>' || ch === '<') && s[start + 1] === '=')) {
      this.pos = start + (ch === '=' ? 1 : 2);
      this.expectValue = true;
      return { kind: 'op', text: s.slice(start, this.pos), start, end: this.pos };
    }
    if (ch === ':') {
      // extensible match: attr:dn:=value, attr:1.2.3:=value, :dn:2.4.6:=value
      let e = start;
      while (e < n && e - start < 80 && (s[e] === ':' || isAttrChar(s.charCodeAt(e)))) {
        if (s[e] === ':' && s[e + 1] === '=') {
          this.pos = e + 2;
          this.expectValue = true;
          return { kind: 'op', text: ':=', start, end: this.pos };
        }
        e += 1;
      }
    }
    if (isAttrChar(s.charCodeAt(start))) {
      let e = start + 1;
      while (e < n && isAttrChar(s.charCodeAt(e))) e += 1;
      this.pos = e;
      return { kind: 'attr', text: s.slice(start, e), start, end: e };
    }
    this.pos = start + 1;
    return { kind: 'other', text: ch, start, end: start + 1 };
  }
}

export function tokenizeLdap(s: string, start = 0, inValue = false, max = 10_000): LdapToken[] {
  const lx = new LdapLexer(s, start, inValue);
  const out: LdapToken[] = [];
  for (let t = lx.next(); t !== null && out.length < max; t = lx.next()) out.push(t);
  return out;
}
