import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../src/model/watermark/lruCache.ts';

describe('LruCache', () => {
  it('evicts the least recently used entry, a get counting as use', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3); // evicts b, not a
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('builds once per key with getOrCreate', () => {
    const c = new LruCache<number, number[]>(4);
    let builds = 0;
    const make = () => (builds++, [builds]);
    const first = c.getOrCreate(1, make);
    expect(c.getOrCreate(1, make)).toBe(first);
    expect(builds).toBe(1);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
