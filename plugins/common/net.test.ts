import fc from 'fast-check';
import { CidrSet, cidrContains, formatIp, normalizeIp, parseCidr, parseIp } from './net';

describe('net: parsing', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::5]', '2001:db8::5'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1::'],
  ])('%s → %s', (input, canonical) => {
    expect(normalizeIp(input)).toBe(canonical);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':1', '1:', 'g::1', ' ', '1.2.3.4/8', 'x'.repeat(100)])(
    'rejects %j',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );

  it('formatIp(parseIp(x)) round-trips random IPv6 and IPv4 addresses', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const ip = parseIp(text);
        expect(ip).toBeDefined();
        expect(normalizeIp(formatIp(ip!))).toBe(formatIp(ip!));
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.ipV4(), (text) => expect(normalizeIp(text)).toBe(text)), { numRuns: 200 });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => void parseIp(s)), { numRuns: 500 });
  });
});

describe('net: CIDR', () => {
  it('parses CIDRs and clears host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ version: 4, prefix: 8, bytes: new Uint8Array([10, 0, 0, 0]) });
    expect(parseCidr('2001:db8::1/32')?.prefix).toBe(32);
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ version: 4, prefix: 8 });
    expect(parseCidr('10.0.0.1')?.prefix).toBe(32);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/a', '::/129', 'x/8']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('matches like a reference implementation (BigInt) on random data', () => {
    const toBig = (b: Uint8Array): bigint => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (net, addr, prefix) => {
        const cidr = parseCidr(`${net}/${prefix}`)!;
        const ip = parseIp(addr)!;
        const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
        const expected = (toBig(parseIp(net)!.bytes) & mask) === (toBig(ip.bytes) & mask);
        expect(cidrContains(cidr, ip)).toBe(expected);
        expect(new CidrSet([`${net}/${prefix}`]).has(addr)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('CidrSet: most specific match wins; IPv6 and v4-mapped addresses; invalid entries recorded', () => {
    const set = new CidrSet<string>();
    set.add('10.0.0.0/8', 'wide');
    set.add('10.1.0.0/16', 'narrow');
    set.add('2001:db8::/32', 'v6');
    expect(set.add('nonsense', 'x')).toBe(false);
    expect(set.lookup('10.1.2.3')).toBe('narrow');
    expect(set.lookup('10.2.0.1')).toBe('wide');
    expect(set.lookup('::ffff:10.2.0.1')).toBe('wide');
    expect(set.lookup('2001:db8:ffff::1')).toBe('v6');
    expect(set.lookup('2001:db9::1')).toBeUndefined();
    expect(set.lookup('11.0.0.1')).toBeUndefined();
    expect(set.lookup('garbage')).toBeUndefined();
    expect(set.invalid).toEqual(['nonsense']);
    expect(set.size).toBe(3);
    expect(new CidrSet(['0.0.0.0/0']).has('203.0.113.9')).toBe(true);
  });

  it('handles large lists (10 000 /32 entries) with exact membership', () => {
    const entries: string[] = [];
    for (let i = 0; i < 10_000; i++) entries.push(`172.16.${i >> 8}.${i & 255}`);
    const set = new CidrSet(entries);
    expect(set.size).toBe(10_000);
    expect(set.has('172.16.39.15')).toBe(true);
    expect(set.has('172.16.40.0')).toBe(false);
  });
});
