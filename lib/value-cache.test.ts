import { PLACES_PER_VALUE, ValueCache } from './value-cache';

describe('ValueCache', () => {
  it('finds an item by value and place', () => {
    const c = new ValueCache<number>(4);
    c.set('Mozilla/5.0', 'header.user-agent', 1);
    c.set('Mozilla/5.0', 'header.x-ua', 2);
    expect(c.get('Mozilla/5.0', 'header.user-agent')).toBe(1);
    expect(c.get('Mozilla/5.0', 'header.x-ua')).toBe(2);
    expect(c.get('Mozilla/5.0', 'header.referer')).toBeUndefined();
    expect(c.get('curl/8', 'header.user-agent')).toBeUndefined();
  });

  it('keeps at most maxValues values, dropping the oldest, and PLACES_PER_VALUE places per value', () => {
    const c = new ValueCache<number>(3);
    for (let i = 0; i < 4; i++) c.set(`v${i}`, 'p', i);
    expect(c.get('v0', 'p')).toBeUndefined();
    expect([c.get('v1', 'p'), c.get('v2', 'p'), c.get('v3', 'p')]).toEqual([1, 2, 3]);
    for (let i = 0; i < PLACES_PER_VALUE + 2; i++) c.set('v3', `q${i}`, i);
    expect(c.get('v3', `q${PLACES_PER_VALUE - 2}`)).toBe(PLACES_PER_VALUE - 2);
    expect(c.get('v3', `q${PLACES_PER_VALUE}`)).toBeUndefined();
  });
});
