import { describe, expect, it } from 'vitest';
import { TensorCache } from '../../../src/model/nn/tensorCache.ts';

describe('TensorCache', () => {
  it('keeps at most `capacity` entries, disposing the least recently used', () => {
    const disposed: string[] = [];
    const cache = new TensorCache<string>(2, (v) => disposed.push(v));
    expect(cache.get('a', () => 'A')).toBe('A');
    cache.get('b', () => 'B');
    expect(cache.get('a', () => 'A2')).toBe('A'); // hit refreshes a
    cache.get('c', () => 'C'); // evicts b, the least recently used
    expect(disposed).toEqual(['B']);
    expect(cache.size).toBe(2);
    expect(cache.get('b', () => 'B2')).toBe('B2');
    expect(disposed).toEqual(['B', 'A']);
  });
});
