import { LdapLexer, type LdapToken } from './tokenizer';

/**
 * Does a value placed as an assertion value — `(uid=<value>)`, `(&(uid=<value>)(pw=...))` — close
 * the app's filter component and open new ones?
 *
 *   injection  := value? breakout components
 *   breakout   := ')'+ | '*'              (close the item, or a wildcard directly followed by '(')
 *   components := ( '(' component | ')' )*   — the app's own trailing ')' may complete the last one
 *   component  := ('&' | '|' | '!') components | '(' component | attr op value? ')'?
 */

export interface LdapSignals {
  /** Filter items `(attr=value)` after the breakout. */
  items: number;
  /** Items on attributes that identify users or hold secrets (uid, cn, userPassword, objectClass...). */
  knownAttrs: number;
  /** Presence / match-everything items: `(uid=*)`. */
  presence: number;
  /** `(&`, `(|`, `(!` after the breakout. */
  compounds: number;
  /** `)` run followed by NUL: truncates the rest of the app's filter. */
  nulTruncation: boolean;
  clean: boolean;
  end: number;
}

const KNOWN_ATTRIBUTES = new Set(
  (
    'objectclass uid cn sn mail userpassword password givenname ou dc o c l st member memberof samaccountname ' +
    'userprincipalname distinguishedname displayname telephonenumber homephone mobile description objectcategory ' +
    'name manager department title employeeid unicodepwd useraccountcontrol pwdlastset accountexpires surname ' +
    'commonname gn owner pager facsimiletelephonenumber jpegphoto co username admincount serviceprincipalname'
  ).split(' '),
);

const MAX_TOKENS = 200;

/** No control characters before `end`: text, not a binary blob. */
function printableBefore(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

/** Parses from `from` (the first `)` or the `(` after a wildcard) and collects signals. */
export function scanLdap(s: string, from: number): LdapSignals {
  const sig: LdapSignals = { items: 0, knownAttrs: 0, presence: 0, compounds: 0, nulTruncation: false, clean: false, end: from };
  const lx = new LdapLexer(s, from);
  const toks: LdapToken[] = [];
  for (let t = lx.next(); t !== null && toks.length < MAX_TOKENS; t = lx.next()) toks.push(t);
  let i = 0;
  let sawClose = false;
  while (i < toks.length) {
    const t = toks[i];
    if (t.kind === ')') {
      sawClose = true;
      i += 1;
      continue;
    }
    if (t.kind === 'nul') {
      // `*))%00`: only when the NUL ends the value — binary data has NULs and parens everywhere
      let rest = t.end;
      while (rest < s.length && s.charCodeAt(rest) <= 32 && s.charCodeAt(rest) !== 0) rest += 1;
      if (sawClose && rest >= s.length && printableBefore(s, t.start)) sig.nulTruncation = true;
      sig.clean = true;
      sig.end = t.end;
      return sig;
    }
    if (t.kind !== '(') break;
    // '(' component
    i += 1;
    while (toks[i]?.kind === '(') i += 1; // `((|uid=*)`: sloppy nesting still reaches the server's parser
    const c = toks[i];
    if (c === undefined) break;
    if (c.kind === 'nul') continue; // `admin)(%00`: the NUL ends it, handled above
    if (c.kind === '&' || c.kind === '|' || c.kind === '!') {
      sig.compounds += 1;
      i += 1;
      // `(|uid=*)` without the inner parens: read the item anyway
      if (toks[i]?.kind !== 'attr') continue;
    }
    const a = toks[i];
    if (a?.kind === 'attr' && toks[i + 1]?.kind === 'op') {
      const v = toks[i + 2];
      sig.items += 1;
      if (KNOWN_ATTRIBUTES.has(a.text.toLowerCase().split(';')[0])) sig.knownAttrs += 1;
      if (v?.kind === 'value' && v.text === '*') sig.presence += 1;
      i += v?.kind === 'value' ? 3 : 2;
      continue;
    }
    if (a === undefined || a.kind === ')') continue;
    sig.end = a.start;
    return sig;
  }
  sig.end = i < toks.length ? toks[i].start : s.length;
  sig.clean = i >= toks.length;
  return sig;
}

export interface LdapScore {
  confidence: number;
  rule: string;
}

export function scoreLdap(sig: LdapSignals, viaWildcard: boolean): LdapScore {
  let best: LdapScore = { confidence: 0, rule: '' };
  const offer = (c: number, rule: string): void => {
    if (c > best.confidence) best = { confidence: c, rule };
  };
  if (sig.items > 0) offer(sig.knownAttrs > 0 || sig.presence > 0 || sig.compounds > 0 ? 0.9 : 0.75, 'filter-item');
  if (sig.compounds > 0) offer(viaWildcard ? 0.75 : 0.8, 'compound');
  if (sig.nulTruncation) offer(0.75, 'nul-truncation');
  if (best.confidence > 0 && !sig.clean) best.confidence -= 0.15;
  return best;
}
