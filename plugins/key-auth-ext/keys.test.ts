import { parse } from 'yaml';
import { KeyIndex, formatKeyHash, generateKey, hashKey, parseInstant, parseKeyHash, type KeyEntry } from './keys';
import { generate, parseArgs, UsageError } from './keygen';
import { buildSettings } from './config';

function entry(id: string, key: string, algorithm: 'sha256' | 'hmac-sha256' = 'sha256', pepper?: string): KeyEntry {
  return { id, consumer: 'c', algorithm, digest: hashKey(key, algorithm, pepper), scopes: new Set() };
}

describe('keys', () => {
  it('parses only well-formed hash specs', () => {
    expect(parseKeyHash(`sha256:${'a'.repeat(64)}`)?.algorithm).toBe('sha256');
    expect(parseKeyHash(`HMAC-SHA256:${'A'.repeat(64)}`)?.algorithm).toBe('hmac-sha256');
    for (const bad of ['sha256:abc', `md5:${'a'.repeat(64)}`, `sha256:${'g'.repeat(64)}`, 'sha256', `sha256:${'a'.repeat(65)}`]) {
      expect(parseKeyHash(bad)).toBeUndefined();
    }
  });

  it('finds keys by sha256 and by hmac (only with the right pepper)', () => {
    const index = new KeyIndex([entry('a', 'key-a'), entry('b', 'key-b', 'hmac-sha256', 'p1')], 'p1');
    expect(index.find('key-a').map((e) => e.id)).toEqual(['a']);
    expect(index.find('key-b').map((e) => e.id)).toEqual(['b']);
    expect(index.find('key-c')).toEqual([]);
    const wrongPepper = new KeyIndex([entry('b', 'key-b', 'hmac-sha256', 'p1')], 'p2');
    expect(wrongPepper.find('key-b')).toEqual([]);
  });

  it('parses ISO and epoch-second instants, rejects free text', () => {
    expect(parseInstant('2027-01-01')).toBe(Date.UTC(2027, 0, 1));
    expect(parseInstant('2027-01-01T00:00:00+01:00')).toBe(Date.UTC(2026, 11, 31, 23));
    expect(parseInstant('1798761600')).toBe(1798761600000);
    expect(parseInstant(1798761600)).toBe(1798761600000);
    expect(parseInstant('tomorrow')).toBeUndefined();
    expect(parseInstant('2027-13-45')).toBeUndefined();
  });

  it('generates distinct 256-bit keys', () => {
    const a = generateKey();
    expect(a).toMatch(/^kas_[A-Za-z0-9_-]{43}$/);
    expect(generateKey()).not.toBe(a);
  });
});

describe('keygen', () => {
  it('prints a snippet whose hash verifies the printed key, with scopes and expiry', () => {
    const out = generate(parseArgs(['--consumer', 'alice', '--scopes', 'orders:read,orders:write', '--expires', '2027-01-01', '--cidrs', '10.0.0.0/8']));
    const doc = parse(out.snippet) as { name: string; config: { keys: Record<string, unknown>[] } }[];
    const k = doc[0].config.keys[0];
    expect(doc[0].name).toBe('key-auth-ext');
    expect(k).toMatchObject({ consumer: 'alice', scopes: ['orders:read', 'orders:write'], expires_at: '2027-01-01T00:00:00.000Z', allowed_cidrs: ['10.0.0.0/8'] });
    expect(k.hash).toBe(formatKeyHash(out.key, 'sha256'));
    expect(out.snippet).not.toContain(out.key);
    const settings = buildSettings(doc[0].config);
    expect(settings.warnings).toEqual([]);
    expect(settings.keys.find(out.key)).toHaveLength(1);
  });

  it('uses HMAC with the pepper from the named env var, and fails without it', () => {
    const out = generate(parseArgs(['--consumer', 'bob', '--hmac-env', 'KEYGEN_PEPPER']), { KEYGEN_PEPPER: 's3cret' });
    expect(out.entry.hash).toBe(formatKeyHash(out.key, 'hmac-sha256', 's3cret'));
    expect(out.snippet).toContain('pepper_env: "KEYGEN_PEPPER"');
    expect(out.snippet).toContain(`hash: "${out.entry.hash as string}"`);
    expect(() => generate(parseArgs(['--consumer', 'bob', '--hmac-env', 'NOPE_UNSET']), {})).toThrow(UsageError);
  });

  it('rejects bad usage', () => {
    expect(() => parseArgs([])).toThrow('--consumer is required');
    expect(() => parseArgs(['--consumer', 'a', '--bogus', '1'])).toThrow('unknown option');
    expect(() => generate(parseArgs(['--consumer', 'a', '--expires', 'soon']))).toThrow('not an ISO');
    expect(() => generate(parseArgs(['--consumer', 'a', '--cidrs', '10.0.0.0/33']))).toThrow('not a CIDR');
  });
});
