import { flagsToKinds, isCardNumber, isIban, sensitiveFlags } from './sensitive';

describe('sensitive data', () => {
  test('cards need Luhn and a network prefix', () => {
    expect(isCardNumber('4111111111111111')).toBe(true);
    expect(isCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(isCardNumber('5500-0000-0000-0004')).toBe(true);
    expect(isCardNumber('378282246310005')).toBe(true);
    expect(isCardNumber('4111111111111112')).toBe(false); // Luhn fails
    expect(isCardNumber('1700000000009')).toBe(false); // a ms timestamp that passes Luhn: no network starts with 1
    expect(isCardNumber('4111  1111')).toBe(false);
  });

  test('IBANs need mod-97', () => {
    expect(isIban('DE89370400440532013000')).toBe(true);
    expect(isIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isIban('DE89370400440532013001')).toBe(false);
    expect(isIban('XX00')).toBe(false);
  });

  test('flags by value and by name', () => {
    expect(flagsToKinds(sensitiveFlags('contact', 'jane@example.com'))).toEqual(['email']);
    expect(flagsToKinds(sensitiveFlags('user_password', 'hunter2'))).toEqual(['password']);
    expect(flagsToKinds(sensitiveFlags('client_secret', 'x'))).toEqual(['password']);
    expect(flagsToKinds(sensitiveFlags('authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'))).toEqual(['jwt', 'bearer']);
    expect(flagsToKinds(sensitiveFlags('authorization', 'Bearer opaque-token-123'))).toEqual(['bearer']);
    expect(flagsToKinds(sensitiveFlags('card', '4111111111111111'))).toEqual(['card']);
    expect(flagsToKinds(sensitiveFlags('iban', 'DE89370400440532013000'))).toEqual(['iban']);
    expect(flagsToKinds(sensitiveFlags('q', 'shoes'))).toEqual([]);
    expect(flagsToKinds(sensitiveFlags('password', ''))).toEqual([]);
  });
});
