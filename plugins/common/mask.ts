/**
 * Secret masking for event excerpts sent to the collector: JWTs, bearer/basic tokens, api keys and
 * passwords in key=value / "key": "value" / header form, AWS access keys, private-key blocks and
 * payment card numbers (Luhn-checked, last 4 digits kept). Patterns run on RE2 (linear time) over
 * input that is first cut to `MAX_INPUT` characters, so masking an attacker's payload is cheap.
 */
import RE2 from 're2';

const MAX_INPUT = 4096;
export const MAX_EXCERPT = 512;
const MASK = '***';

const JWT = new RE2('eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*', 'g');
const PRIVATE_KEY = new RE2('-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\\s\\S]*', 'g');
const AUTH_SCHEME = new RE2('(?i)\\b(bearer|basic|digest|token|apikey|key)(\\s+)[A-Za-z0-9._~+/=:-]{6,}', 'g');
const KEY_VALUE = new RE2(
  '(?i)\\b(api[_-]?key|x-api-key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|id[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|pass|session[_-]?id|sessionid|private[_-]?key|authorization|cookie|set-cookie)(["\']?\\s{0,8}[:=]\\s{0,8}["\']?)[^\\s"\'&;,}]+',
  'g',
);
const AWS_KEY = new RE2('\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b', 'g');
const CARD = new RE2('\\b\\d(?:[ -]?\\d){12,18}\\b', 'g');

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Masks secrets in `text` and cuts the result to `maxLength` (default 512, the contract's excerpt cap). */
export function maskSecrets(text: string, maxLength = MAX_EXCERPT): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  let s = text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text;
  s = s.replace(PRIVATE_KEY, '[PRIVATE KEY]');
  s = s.replace(JWT, '[JWT]');
  s = s.replace(AUTH_SCHEME, (_m: string, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  s = s.replace(KEY_VALUE, (_m: string, name: string, sep: string) => `${name}${sep}${MASK}`);
  s = s.replace(AWS_KEY, '[AWS KEY]');
  s = s.replace(CARD, (m: string) => {
    const digits = m.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return m;
    return `[CARD ****${digits.slice(-4)}]`;
  });
  return s.length > maxLength ? s.slice(0, maxLength) : s;
}

/**
 * A safe stand-in for a presented credential (e.g. a wrong API key): its first 4 characters when
 * it is long enough for that to reveal little, plus its length. Never the whole value.
 */
export function maskCredential(value: string): string {
  if (typeof value !== 'string') return MASK;
  const shown = value.length >= 16 ? value.slice(0, 4) : '';
  return `${shown}${MASK} (${value.length} chars)`;
}
