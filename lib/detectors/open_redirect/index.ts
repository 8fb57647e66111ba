/**
 * Open redirect: a value that would send the browser to another site if the application redirects to
 * it. The library cannot know the application's own host, so:
 *  - obfuscated targets (scheme-relative `//evil`, `/\evil`, `https:evil`, `http://trusted@evil`,
 *    numeric IPs, `/%09/evil`, slash look-alikes, `javascript:`) are high confidence wherever they are
 *    written in a redirect-like parameter, and likely elsewhere;
 *  - a plain absolute `https://host/…` in a redirect-like parameter is only suspicious (0.3): OAuth
 *    `redirect_uri`, `returnTo` and tracking `url=` parameters carry such URLs all day long.
 * Redirect-like names: redirect, redirect_uri, url, next, return, returnTo, continue, dest, goto,
 * target, rurl, callback, … (see REDIRECT_NAMES / isRedirectName).
 */
import { CH, charsOf } from '../../features';
import { JOINED, type Detection, type Detector, type DetectorInput } from '../../types';
import { isSlashLookalike, resolveRedirectTarget, type RedirectTarget } from './url-target';

const REDIRECT_NAMES = new Set([
  'redirect', 'redirect_uri', 'redirect_url', 'redirecturi', 'redirecturl', 'redirect_to', 'redirectto', 'redir',
  'redir_url', 'url', 'uri', 'next', 'nexturl', 'next_url', 'return', 'return_to', 'returnto', 'return_url',
  'returnurl', 'return_path', 'returnpath', 'continue', 'continueto', 'dest', 'destination', 'goto', 'go',
  'target', 'targeturl', 'rurl', 'r_url', 'callback', 'callback_url', 'callbackurl', 'cb', 'forward', 'forward_url',
  'out', 'view', 'to', 'link', 'u', 'r', 'success_url', 'successurl', 'failure_url', 'error_url', 'cancel_url',
  'login_url', 'logout_url', 'logout', 'back', 'backurl', 'back_url', 'checkout_url', 'location', 'page', 'path',
  'origin_url', 'jump', 'jump_url', 'navigation', 'open', 'window', 'host', 'site', 'domain',
  'referrer_url', 'service', 'ru', 'q_redirect', 'from_url', 'relaystate', 'state_url', 'exit', 'exiturl',
]);

/**
 * Words naming a resource the page embeds or fetches (`imageUrl`, `avatar_url`, `cdnUrl`, `scriptSrc`):
 * the application loads it, it does not send the browser there, so `//cdn.host/x.png` in such a field is
 * an ordinary scheme-relative asset URL (SSRF is what matters for fetched URLs, and ssrf checks those).
 */
const RESOURCE_WORDS = /image|img|icon|logo|avatar|thumb|photo|picture|banner|poster|cdn|asset|static|script|style|css|font|video|audio|media|pixel|sprite|favicon|src$/;

/** Names that say "a URL to go to", beyond the list: `post_login_redirect`, `returnUrl2`, `successUrl`. */
function isRedirectName(name: string | undefined): boolean {
  if (name === undefined || name === '') return false;
  const n = name.toLowerCase();
  if (RESOURCE_WORDS.test(n) && !n.includes('redirect') && !n.includes('return') && !n.includes('next')) return false;
  if (REDIRECT_NAMES.has(n)) return true;
  return n.includes('redirect') || n.includes('redir') || n.includes('return') || n.includes('continue') || n.includes('goto') || n.includes('callback') || n.includes('next') || n.endsWith('_url') || n.endsWith('url');
}

/** Tricks that exist only to fool a host check. */
const STRONG_TRICKS = new Set([
  'userinfo', 'backslash', 'backslash-authority', 'missing-slashes', 'extra-slashes', 'whitespace', 'nul', 'numeric-ip',
  'encoded-host', 'fake-userinfo', 'slash-lookalike', 'tag-removal', 'unicode-host', 'odd-host', 'nested-scheme',
  'slashed-script', 'encoded-alnum', 'encoded-traversal',
]);

function score(target: RedirectTarget, redirectName: boolean): { rule: string; confidence: number } | null {
  const strong = target.tricks.filter((t) => STRONG_TRICKS.has(t));
  const trickText = strong.length > 0 ? `:${strong.join('+')}` : '';
  if (target.kind === 'script') return { rule: `open_redirect:script-url${trickText}`, confidence: redirectName ? 0.9 : 0.6 };
  if (target.kind === 'local') return null;
  if (strong.length > 0) return { rule: `open_redirect:${target.form}${trickText}`, confidence: redirectName ? 0.93 : 0.8 };
  if (target.form === 'scheme-relative') return { rule: 'open_redirect:scheme-relative', confidence: redirectName ? 0.88 : 0.4 };
  if (target.form === 'path') return { rule: 'open_redirect:path-url', confidence: redirectName ? 0.8 : 0.6 };
  if (target.tricks.includes('ipv6-literal') || target.tricks.includes('scheme-case')) {
    return { rule: `open_redirect:absolute:${target.tricks.join('+')}`, confidence: redirectName ? 0.6 : 0.35 };
  }
  return redirectName ? { rule: 'open_redirect:absolute', confidence: 0.3 } : null;
}

/** Distinct redirect-named parameters of one link that all get the same offsite URL: a parameter spray. */
const SPRAY_MIN = 3;

/**
 * `/redirect?url=//evil.com&next=…`: a value that is itself a redirect link with an offsite target.
 * One plain absolute target there is what a benign "come back to this page" link carries; the same link
 * handing three or more differently named redirect parameters the same offsite URL is a scanner guessing which
 * name the application reads.
 */
function embeddedRedirect(value: string): { rule: string; confidence: number; target: string } | null {
  const q = value.indexOf('?');
  if (q < 0 || (value[0] !== '/' && value[0] !== '?')) return null;
  // names per offsite target text: a scanner gives every name the same URL, an OAuth chain different ones
  const sprayed = new Map<string, Set<string>>();
  let most = 0;
  for (const pair of value.slice(q + 1).split('&').slice(0, 20)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).toLowerCase();
    if (!isRedirectName(name)) continue;
    const text = pair.slice(eq + 1);
    const target = resolveRedirectTarget(text);
    if (target === null || target.kind !== 'offsite') continue;
    const names = sprayed.get(text) ?? new Set<string>();
    names.add(name);
    sprayed.set(text, names);
    most = Math.max(most, names.size);
  }
  if (most >= SPRAY_MIN) return { rule: 'open_redirect:param-spray:embedded', confidence: 0.7, target: value.slice(q, q + 120) };
  for (const pair of value.slice(q + 1).split('&').slice(0, 20)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).toLowerCase();
    if (!isRedirectName(name)) continue;
    const target = resolveRedirectTarget(pair.slice(eq + 1));
    if (target === null) continue;
    const s = score(target, true);
    if (s !== null && s.confidence >= 0.5) return { rule: `${s.rule}:embedded`, confidence: Math.min(0.8, s.confidence), target: pair };
  }
  return null;
}

/**
 * A `..` path segment that was percent-encoded (`%2e%2e`, `%2f..`, `%252e%252e`): the value's own
 * decoding produces a dot segment a URL parser then removes. Unencoded `/../` is left to path_traversal.
 */
export function hasEncodedDotSegment(raw: string): boolean {
  if (raw.indexOf('%') < 0) return false;
  const lower = raw.toLowerCase();
  if (lower.indexOf('%2e') < 0 && lower.indexOf('%2f') < 0 && lower.indexOf('%5c') < 0 && lower.indexOf('%25') < 0) return false;
  let v = lower;
  for (let pass = 0; pass < 3 && v.indexOf('%') >= 0; pass++) v = v.replace(/%(2e|2f|5c|25)/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return /[\\/]\.\.(?:[\\/?#]|$)/.test(v);
}

function startsWithSlashLookalike(v: string): boolean {
  // the trick needs an ASCII host after the look-alike; Japanese words with a leading `ー` are not one
  return v.length > 1 && isSlashLookalike(v[0]) && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?:[/:?#]|$)/.test(v.slice(1));
}

/** Cheap gate: a target needs a slash, backslash, colon or a look-alike character. */
const TARGET_CHARS = CH.SLASH | CH.BACKSLASH | CH.COLON | CH.PERCENT | CH.NONASCII;

function mayHoldTarget(s: string): boolean {
  for (let i = 0; i < s.length && i < 64; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 || c === 92 || c === 58 || c === 37 || c > 0x2000) return true;
  }
  return false;
}

export const openRedirectDetector: Detector = {
  type: 'open_redirect',
  sources: ['query', 'body', 'cookie', 'graphql', 'grpc', 'path'],
  triggers: TARGET_CHARS,
  detect(input: DetectorInput): Detection | null {
    const point = input.point;
    if (point.isKey || point.encodings.includes(JOINED) || point.value.length < 3 || (charsOf(input) & TARGET_CHARS) === 0 || !mayHoldTarget(point.value)) return null;
    let best: { rule: string; confidence: number } | null = null;
    // A path that survives the check below is what a redirect echoes (or a URL smuggled in one segment).
    const redirectName = isRedirectName(point.name) || point.source === 'path';
    // HTML-escaped URLs (`https:&#47;&#47;host`) are how some pages echo their own links back.
    const value = input.decode('url', 'html', 'nulls');
    // In the path, a target is a segment that is a URL (`/out/https:%2F%2Fevil`), a segment holding an
    // encoded separator (`/files/%2F%2Fevil.com` decodes to one segment `//evil.com`: nobody encodes a
    // slash inside a file name by accident), or the whole path (`path`) when it starts like a
    // scheme-relative URL (`GET //evil.com/%2f..`: trailing-slash and canonicalizing redirects echo the path
    // into Location). Ordinary segments (`AC/DC` aside) are words and ids.
    if (point.source === 'path' && !/^[A-Za-z]+:/.test(value)) {
      // a segment that opens with a slash look-alike (`〱evil.com`) is a URL for back ends that fold it to '/'
      const slashy = value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || startsWithSlashLookalike(value);
      if (point.path === 'path' ? !/^[\\/]{2}/.test(value) : !slashy) return null;
    }
    let target = resolveRedirectTarget(value);
    // JS escapes (`\x6a\x61…`, `\u006a…`) spell `javascript:` for a client-side redirect.
    if ((target === null || target.kind === 'local') && value.indexOf('\\') >= 0) {
      const js = resolveRedirectTarget(input.decode('url', 'js', 'nulls'));
      if (js !== null && js.kind !== 'local') target = { ...js, tricks: [...js.tricks, 'js-escaped'] };
    }
    if (target !== null && target.kind === 'offsite') {
      // `//evil.com/%2f%2e%2e`: encoded dot segments after the host only exist to make a path-normalizing
      // check (or a trailing-slash redirect) see something else than the browser will.
      if (hasEncodedDotSegment(input.point.value)) target.tricks.push('encoded-traversal');
      // NUL in the host (`//google%00.com`), or a target only visible after a second URL-decoding.
      if (/[\x00-\x08]/.test(input.decode('url'))) target.tricks.push('nul');
      const once = input.point.value;
      if (once.indexOf('%') >= 0) {
        // Encoding letters and digits (`%68%74%74%70`) has no purpose but hiding them; an encoded URL
        // (`https%3A%2F%2Fhost`) is ordinary and not a trick by itself.
        if (/%(3[0-9]|4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA])/.test(once)) target.tricks.push('encoded-alnum');
        const raw = resolveRedirectTarget(input.decode('html'));
        if (raw !== null && raw.kind === 'offsite') for (const t of raw.tricks) if (!target.tricks.includes(t)) target.tricks.push(t);
      }
    }
    if (target !== null) best = score(target, redirectName);
    // `/evil.com/%2f%2e%2e`: a host name as the first segment plus an encoded dot segment is built for
    // redirect code that prefixes a '/' (`"/" + next`) or strips one, which turns it into `//evil.com/`.
    if (best === null && target !== null && target.kind === 'local' && redirectName && hasEncodedDotSegment(point.value) && /^\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\//i.test(value)) {
      best = { rule: 'open_redirect:host-path:encoded-traversal', confidence: 0.7 };
    }
    if (best === null || best.confidence < 0.8) {
      const embedded = embeddedRedirect(input.decode('url', 'html', 'nulls'));
      if (embedded !== null && (best === null || embedded.confidence > best.confidence)) best = embedded;
    }
    if (best === null) return null;
    return {
      type: 'open_redirect',
      confidence: best.confidence,
      detail: best.rule,
      excerpt: input.decode('url', 'html', 'nulls').slice(0, 200),
    };
  },
};
