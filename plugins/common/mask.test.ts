import { maskCredential, maskSecrets } from './mask';

describe('maskSecrets', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  it.each([
    [`token ${jwt} end`, 'token [JWT] end'],
    [`x=${jwt}`, 'x=[JWT]'],
    ['Authorization: Bearer abcdef123456', 'Authorization: *** ***'],
    ['Bearer abcdef123456', 'Bearer ***'],
    ['?apikey=kas_abcdef&x=1', '?apikey=***&x=1'],
    ['{"password": "hunter2", "user": "bob"}', '{"password": "***", "user": "bob"}'],
    ['api_key: AKIAABCDEFGHIJKLMNOP', 'api_key: ***'],
    ['key AKIAABCDEFGHIJKLMNOP', 'key ***'],
    ['id AKIAABCDEFGHIJKLMNOP', 'id [AWS KEY]'],
    ['card 4111 1111 1111 1111 ok', 'card [CARD ****1111] ok'],
    ['card 4111-1111-1111-1112 (not luhn)', 'card 4111-1111-1111-1112 (not luhn)'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE...', '[PRIVATE KEY]'],
    ["1' OR '1'='1", "1' OR '1'='1"],
  ])('%j', (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  it('cuts to 512 characters and copes with huge input', () => {
    expect(maskSecrets('a'.repeat(10_000))).toHaveLength(512);
    expect(maskSecrets('')).toBe('');
    expect(maskSecrets('password='.repeat(5000)).length).toBeLessThanOrEqual(512);
  });

  it('maskCredential reveals at most 4 characters of long values and none of short ones', () => {
    expect(maskCredential('kas_0123456789abcdef')).toBe('kas_*** (20 chars)');
    expect(maskCredential('short')).toBe('*** (5 chars)');
  });
});
