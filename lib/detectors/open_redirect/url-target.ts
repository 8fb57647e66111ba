/**
 * Where would a browser go if the server put this value in a `Location` header? The value is
 * normalised the way browsers and common server-side URL code disagree about it (tabs/newlines removed,
 * backslashes as slashes, slash look-alikes), then parsed with the WHATWG URL parser against a
 * placeholder base, so the library does not need to know the application's own host.
 */

/** Base standing in for "this site": anything resolving elsewhere leaves it. */
const BASE = 'https://self.invalid/app/page';

export interface RedirectTarget {
  /** 'offsite' (another host), 'script' (javascript:/vbscript:/data:), or 'local'. */
  kind: 'offsite' | 'script' | 'local';
  host: string;
  /** Tricks used to reach the target, for confidence and the detail string. */
  tricks: string[];
  /** How the value was written: 'absolute' (scheme://), 'scheme-relative' (//host), 'path' (/https://…). */
  form: 'absolute' | 'scheme-relative' | 'path' | 'other';
}

/** Characters some back ends and browsers fold to '/' or '.' (PayloadsAllTheThings' Unicode tricks). */
const SLASH_LOOKALIKES = new Set(['\u3031', '\u3035', '\u309d', '\u30fc', '\uff70', '\u2044', '\u2215', '\u29f8', '\uff0f', '\u3033']);

export function isSlashLookalike(c: string): boolean {
  return SLASH_LOOKALIKES.has(c);
}

function safeUrl(s: string, base?: string): URL | null {
  try {
    return new URL(s, base);
  } catch {
    return null;
  }
}

function isDottedDecimalIpv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** Raw authority text (between `scheme:` + slashes and the first '/', '?' or '#'). */
function rawAuthority(s: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:[\\/]*/.exec(s);
  const rest = m === null ? s.replace(/^[\\/]+/, '') : s.slice(m[0].length);
  let end = rest.length;
  for (const c of ['/', '?', '#']) {
    const i = rest.indexOf(c);
    if (i >= 0 && i < end) end = i;
  }
  return rest.slice(0, end);
}

function hostTricks(raw: string, url: URL, tricks: string[]): void {
  const authority = rawAuthority(raw);
  if (url.username !== '' || url.password !== '') tricks.push('userinfo');
  else if (authority.includes('@')) tricks.push('userinfo');
  if (authority.includes('\\')) tricks.push('backslash-authority');
  if (authority.includes('%')) tricks.push('encoded-host');
  const host = url.hostname;
  if (host.startsWith('[')) tricks.push('ipv6-literal');
  else if (/^[0-9.]+$/.test(host) && !isDottedDecimalIpv4(authority.replace(/^.*@/, '').replace(/:\d*$/, ''))) tricks.push('numeric-ip');
  // `http://google.com:80#@trusted/`, `http://google.com?@trusted`: a filter reads the wrong host.
  const afterAuthority = raw.slice(raw.indexOf(authority) + authority.length);
  if (/^[?#][^/]*@/.test(afterAuthority)) tricks.push('fake-userinfo');
  if (/[^\x00-\x7f]/.test(authority)) tricks.push('unicode-host');
  else if (/[^A-Za-z0-9.\-\[\]:]/.test(host)) tricks.push('odd-host');
}

function trimC0(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && v.charCodeAt(a) <= 32) a += 1;
  while (b > a && v.charCodeAt(b - 1) <= 32) b -= 1;
  return v.slice(a, b);
}

/**
 * Resolves `value` as a redirect target. Returns null when it is not URL-like at all (prose, ids,
 * numbers), so the detector stays cheap on ordinary values.
 */
export function resolveRedirectTarget(value: string): RedirectTarget | null {
  const tricks: string[] = [];
  // Leading/trailing C0 and space are stripped by URL parsers; tab/CR/LF are removed anywhere.
  let s = trimC0(value);
  if (/[\t\n\r]/.test(s)) {
    tricks.push('whitespace');
    s = s.replace(/[\t\n\r]/g, '');
  }
  if (s.indexOf('\0') >= 0) {
    tricks.push('nul');
    s = s.replace(/\0/g, '');
  }
  if (s.length < 3) return null;
  // `<>//evil.com`: sanitisers that delete tags leave the scheme-relative URL behind.
  if (s.startsWith('<>') || s.startsWith('/<>')) {
    tricks.push('tag-removal');
    s = s.replace('<>', '');
  }
  if (SLASH_LOOKALIKES.has(s[0]) || (s[0] === '/' && SLASH_LOOKALIKES.has(s[1]))) {
    tricks.push('slash-lookalike');
    s = `//${s.slice(s[0] === '/' ? 2 : 1)}`;
  }
  // `/javascript:…`, `//%5cjavascript:…`: slashes a filter checks for, in front of a script URL.
  const unslashed = s.replace(/^[\\/]+/, '');
  if (unslashed !== s && /^(javascript|vbscript):/i.test(unslashed)) {
    tricks.push('slashed-script');
    s = unslashed;
  }
  const lowerHead = s.slice(0, 16).toLowerCase();
  if (/^(javascript|vbscript|livescript):/.test(lowerHead)) {
    const body = s.slice(s.indexOf(':') + 1).replace(/[\s;]+/g, '').toLowerCase();
    // `javascript:void(0)` / `javascript:;` are no-op links that analytics beacons send back.
    if (body === '' || body === 'void(0)' || body === 'void0' || /^[0-9.]*$/.test(body)) return null;
    return { kind: 'script', host: '', tricks, form: 'absolute' };
  }
  if (lowerHead.startsWith('data:')) {
    const meta = s.slice(5, 60).toLowerCase();
    if (meta.startsWith('text/html') || meta.startsWith('application/xhtml') || meta.startsWith('text/javascript')) return { kind: 'script', host: '', tricks, form: 'absolute' };
    return null;
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (scheme !== null) {
    const name = scheme[1].toLowerCase();
    if (name !== 'http' && name !== 'https') return null;
    const afterColon = s.slice(scheme[0].length);
    const slashes = /^[\\/]*/.exec(afterColon)?.[0] ?? '';
    if (slashes !== '//') tricks.push(slashes.length === 0 ? 'missing-slashes' : slashes.includes('\\') ? 'backslash' : 'extra-slashes');
    if (scheme[1] !== name) tricks.push('scheme-case');
    const url = safeUrl(s);
    if (url === null) {
      // `http://472.314.470.462`: numeric hosts the WHATWG parser rejects, other resolvers accept.
      const authority = rawAuthority(s).replace(/^.*@/, '');
      if (/^[0-9.x]+$/i.test(authority) && authority.length > 0) return { kind: 'offsite', host: authority, tricks: [...tricks, 'numeric-ip'], form: 'absolute' };
      return null;
    }
    if (url.hostname === '') return null;
    hostTricks(s, url, tricks);
    return { kind: url.hostname === 'self.invalid' ? 'local' : 'offsite', host: url.hostname, tricks, form: 'absolute' };
  }
  if (s[0] === '/' || s[0] === '\\') {
    const lead = /^[\\/]+/.exec(s)?.[0] ?? '';
    if (lead.length >= 2) {
      if (lead !== '//') tricks.push(lead.includes('\\') ? 'backslash' : 'extra-slashes');
      const rest = s.slice(lead.length);
      // `//https://evil.com//`: a scheme where the host should be.
      if (/^https?:/i.test(rest)) {
        const inner = resolveRedirectTarget(rest);
        if (inner !== null && inner.kind === 'offsite') return { ...inner, tricks: [...tricks, 'nested-scheme', ...inner.tricks], form: 'scheme-relative' };
      }
      const url = safeUrl(s, BASE);
      if (url === null) return null;
      if (url.username !== '' && url.hostname !== 'self.invalid') {
        hostTricks(s, url, tricks);
        return { kind: 'offsite', host: url.hostname, tricks, form: 'scheme-relative' };
      }
      // `//catalog01/en_GB`, `//localhost`: a dotless name is a path more often than a host.
      if (!url.hostname.includes('.') && !url.hostname.startsWith('[') && !/^\d+$/.test(url.hostname)) return null;
      hostTricks(s, url, tricks);
      return { kind: url.hostname === 'self.invalid' ? 'local' : 'offsite', host: url.hostname, tricks, form: 'scheme-relative' };
    }
    // `/https://evil.com`, `/http:/evil.com`: path-style redirect endpoints that re-read the path as a URL.
    const inner = /^\/(https?:[\\/]{0,3}[^/\\?#]+)/i.exec(s);
    if (inner !== null) {
      const url = safeUrl(inner[1].replace(/\\/g, '/'));
      if (url !== null && url.hostname.includes('.')) {
        hostTricks(inner[1], url, tricks);
        return { kind: 'offsite', host: url.hostname, tricks, form: 'path' };
      }
    }
    return { kind: 'local', host: 'self.invalid', tricks, form: 'path' };
  }
  return null;
}
