import { CH, charsOf } from '../../features';
import { JOINED, type Detection, type Detector, type DetectorInput } from '../../types';
import { classifyHost, type Target } from './targets';

/**
 * Server-side request forgery: a value that is (or holds) a URL, or a bare host[:port], aimed at an
 * internal target (cloud metadata, loopback, private/link-local ranges in any IPv4 spelling, IPv6
 * loopback/mapped forms, names that resolve inside), or using a scheme that turns an HTTP fetcher into
 * a raw-socket or file reader (`gopher:`, `dict:`, `file:`, `ldap:`, `jar:`, `netdoc:`, `tftp:`).
 * Hosts are read with the WHATWG URL parser (what Node's fetch and browsers use: it already folds
 * `2130706433`, `0x7f.1`, `0177.0.0.1` into dotted quads) and, for the other schemes and for the
 * "which `@` wins" ambiguity between parsers, with our own authority split and inet_aton-style IPv4 parser.
 */
const DANGEROUS_SCHEMES: ReadonlyMap<string, number> = new Map([
  ['gopher', 0.9], ['dict', 0.9], ['file', 0.85], ['ldap', 0.75], ['ldaps', 0.75], ['jar', 0.85], ['netdoc', 0.85],
  ['tftp', 0.8], ['sftp', 0.5], ['phar', 0.8],
]);
const WEB_SCHEMES = new Set(['http', 'https', 'ftp', 'ws', 'wss']);

/** Parameter/field names that carry a URL or host the server will fetch. */
const URLISH_NAMES = /(^|[_.-])(url|uri|link|href|src|callback|webhook|hook|host|hostname|domain|dest|destination|target|endpoint|proxy|feed|image|img|avatar|icon|fetch|remote|redirect|next|return|continue|upstream|backend)([_.-]|$)/;

/** Fields that report what a browser saw (CSP violation reports), not what the server will fetch. */
const REPORT_FIELDS = new Set(['blocked-uri', 'blockeduri', 'document-uri', 'documenturi', 'source-file', 'sourcefile', 'referrer', 'original-policy']);

const MAX_URLS = 8;
const SCORE: Readonly<Record<string, number>> = { metadata: 0.95, loopback: 0.8, private: 0.75, 'link-local': 0.8, unspecified: 0.8, cgnat: 0.55, rebinding: 0.85 };

interface UrlFinding {
  confidence: number;
  detail: string;
  at: number;
}

/** Authority as a naive parser sees it: after `//`, up to the first `/ ? #` (or `\`), userinfo dropped at the last `@`. */
function naiveHost(authorityAndRest: string, lastAt: boolean): string {
  let end = authorityAndRest.length;
  for (const ch of ['/', '?', '#', '\\']) {
    const k = authorityAndRest.indexOf(ch);
    if (k >= 0 && k < end) end = k;
  }
  let auth = lastAt ? authorityAndRest : authorityAndRest.slice(0, end);
  if (lastAt) {
    const at = auth.lastIndexOf('@');
    if (at < 0) return '';
    auth = auth.slice(at + 1);
    for (const ch of ['/', '?', '#', '\\']) {
      const k = auth.indexOf(ch);
      if (k >= 0) auth = auth.slice(0, k);
    }
  } else {
    const at = auth.lastIndexOf('@');
    if (at >= 0) auth = auth.slice(at + 1);
  }
  if (auth.startsWith('[')) {
    const close = auth.indexOf(']');
    return close > 0 ? auth.slice(0, close + 1) : auth;
  }
  const colon = auth.indexOf(':');
  return colon >= 0 ? auth.slice(0, colon) : auth;
}

function odd(hostText: string): boolean {
  // a spelling other than a plain dotted quad: decimal/hex/octal/short IPv4
  return /^(0x[0-9a-f]+|[0-9]+)$/i.test(hostText) || /(^|\.)0[0-9x]/i.test(hostText) || (/^[0-9.x]+$/i.test(hostText) && hostText.split('.').length < 4);
}

function checkUrl(url: string, at: number): UrlFinding | null {
  const colon = url.indexOf(':');
  const scheme = url.slice(0, colon).toLowerCase();
  const rest = url.slice(colon + 1);
  const danger = DANGEROUS_SCHEMES.get(scheme);
  let best: UrlFinding | null = null;
  const take = (confidence: number, detail: string): void => {
    if (best === null || confidence > best.confidence) best = { confidence, detail, at };
  };
  if (danger !== undefined && (rest.startsWith('//') || scheme === 'jar' || scheme === 'netdoc')) take(danger, `ssrf:scheme:${scheme}`);
  if (!rest.startsWith('//') && !rest.startsWith('\\\\') && !rest.startsWith('/\\')) return best;
  const afterSlashes = rest.replace(/^[/\\]+/, '');
  let target: Target | null = null;
  let how = '';
  const naive = naiveHost(afterSlashes, false);
  // An ordinary DNS name (has a letter no IPv4 spelling uses) needs no full URL parse: the common case.
  const plainName = /[g-wyz]/i.test(naive) && afterSlashes.indexOf('@') < 0 && afterSlashes.indexOf('\\') < 0 && afterSlashes.indexOf('%') < 0;
  if (WEB_SCHEMES.has(scheme) && plainName) target = classifyHost(naive);
  else if (WEB_SCHEMES.has(scheme)) {
    try {
      const u = new URL(url);
      target = classifyHost(u.hostname.startsWith('[') ? u.hostname : u.hostname);
      if (target !== null && odd(naiveHost(afterSlashes, false))) how = ':encoded';
    } catch {
      target = null;
    }
  } else target = classifyHost(naiveHost(afterSlashes, false));
  if (target === null) {
    // another parser may take the host after the last '@' (`http://good.com#@127.0.0.1`)
    const alt = naiveHost(afterSlashes, true);
    const t = alt === '' ? null : classifyHost(alt);
    if (t !== null) take(Math.min(0.85, SCORE[t.kind] ?? 0.7), `ssrf:parser-confusion:${t.kind}`);
    return best;
  }
  let conf = SCORE[target.kind] ?? 0.7;
  if (how !== '') conf = Math.min(0.95, conf + 0.1);
  if (danger !== undefined) conf = Math.max(conf, danger) + 0.05;
  take(Math.min(0.98, conf), `ssrf:${target.kind}${how}`);
  return best;
}

function isSchemeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

function urlEnd(v: string, from: number): number {
  let e = from;
  while (e < v.length && e - from < 2048) {
    const c = v.charCodeAt(e);
    if (c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) break;
    e += 1;
  }
  return e;
}

function scan(v: string): UrlFinding | null {
  let best: UrlFinding | null = null;
  let count = 0;
  for (let k = v.indexOf('://'); k >= 0 && count < MAX_URLS; k = v.indexOf('://', k + 3)) {
    count += 1;
    let s = k;
    while (s > 0 && k - s < 16 && isSchemeChar(v.charCodeAt(s - 1))) s -= 1;
    if (s === k) continue;
    const f = checkUrl(v.slice(s, urlEnd(v, k)), s);
    if (f !== null && (best === null || f.confidence > best.confidence)) best = f;
  }
  if (v.startsWith('//')) {
    const f = checkUrl('http:' + v.slice(0, urlEnd(v, 0)), 0);
    if (f !== null && (best === null || f.confidence > best.confidence)) best = f;
  }
  // `jar:`/`netdoc:` have no `//` right after the scheme
  for (const p of ['jar:', 'netdoc:']) {
    const i = v.toLowerCase().indexOf(p);
    if (i === 0) {
      const f = checkUrl(v.slice(0, urlEnd(v, 0)), 0);
      if (f !== null && (best === null || f.confidence > best.confidence)) best = f;
    }
  }
  return best;
}

/** A bare `host[:port][/path]` value: only where the parameter is meant to hold a URL or host. */
function bareHost(v: string, name: string | undefined): UrlFinding | null {
  const t = v.trim();
  if (t.length < 3 || t.length > 255 || /\s/.test(t)) return null;
  // A host needs a dot, a port or brackets; a bare integer is an IPv4 only when it is big enough to be
  // one spelled in decimal (2130706433), and even then mostly an id — so only in URL-ish fields.
  const integer = /^[0-9]+$/.test(t);
  if (!integer && t.indexOf('.') < 0 && t.indexOf(':') < 0 && t[0] !== '[') return null;
  if (integer && (Number(t) < 16777216 || name === undefined || !URLISH_NAMES.test(name))) return null;
  if (name !== undefined && (name.endsWith('ip') || name.endsWith('addr') || name.endsWith('address'))) return null;
  const f = checkUrl('http://' + t, 0);
  if (f === null) return null;
  const urlish = name !== undefined && URLISH_NAMES.test(name);
  const metadata = f.detail.startsWith('ssrf:metadata');
  if (!urlish && !metadata) return { ...f, confidence: Math.min(f.confidence, 0.4) };
  return { ...f, detail: f.detail + ':bare' };
}

export const ssrfDetector: Detector = {
  type: 'ssrf',
  detect(input: DetectorInput): Detection | null {
    const { point } = input;
    const raw = point.value;
    if (raw.length < 3 || point.isKey || point.encodings.includes(JOINED)) return null;
    // a URL needs `:` (or its encoding); a bare host a dot, a port or brackets — or it is a big integer
    const chars = charsOf(input);
    const firstCode = raw.charCodeAt(0);
    if ((chars & (CH.COLON | CH.PERCENT | CH.DOT | CH.LBRACKET | CH.SLASH)) === 0 && !(firstCode >= 48 && firstCode <= 57)) return null;
    // Percent-decoded until stable: a URL encoded twice (`http%253A%252F%252F…`) reaches a fetcher that
    // decodes once more (a proxying layer, a redirect-follower) as a plain URL.
    const v = (chars & CH.PERCENT) !== 0 ? input.decode('url') : raw;
    const hasScheme = v.indexOf('://') >= 0;
    const firstDigit = raw.charCodeAt(0) >= 48 && raw.charCodeAt(0) <= 57;
    const maybeBare = raw.length <= 255 && (firstDigit || raw[0] === '[' || raw.startsWith('//') || raw.startsWith('localhost') || raw.startsWith('metadata') || raw.startsWith('jar:') || raw.startsWith('netdoc:'));
    if (!hasScheme && !maybeBare) return null;
    let f = scan(v);
    if (f === null && !hasScheme && point.source !== 'path') f = bareHost(v, point.name);
    if (f === null) return null;
    let confidence = f.confidence;
    // Browsers send these headers about the page itself; a developer on localhost is not an attack.
    if (point.name !== undefined && REPORT_FIELDS.has(point.name) && !f.detail.startsWith('ssrf:metadata')) confidence = Math.min(confidence, 0.3);
    if (point.source === 'header' && (point.name === 'referer' || point.name === 'origin' || point.name === 'host') && !f.detail.startsWith('ssrf:metadata') && !f.detail.startsWith('ssrf:scheme')) {
      confidence = Math.min(confidence, 0.3);
    }
    return { type: 'ssrf', confidence, detail: f.detail, excerpt: v.slice(f.at, f.at + 200) };
  },
};
