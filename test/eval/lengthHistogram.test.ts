import { describe, expect, it } from 'vitest';
import { clippedHistogram, lengthHistogram } from '../../src/eval/lengthHistogram.ts';

// expected values: numpy 1.24 np.histogram(values, bins)
describe('lengthHistogram', () => {
  it('equals numpy.histogram: equal-width bins, half-open except the last', () => {
    const h = lengthHistogram([1, 2, 2, 3, 5, 8, 13, 21, 40], 4);
    expect(h.map((b) => b.count)).toEqual([6, 1, 1, 1]);
    expect(h.map((b) => b.start).concat(h.at(-1)!.end)).toEqual([1, 10.75, 20.5, 30.25, 40]);
  });

  it('puts a value on an inner edge into the upper bin, as numpy does after rounding', () => {
    expect(lengthHistogram([0.1, 0.2, 0.3, 0.7], 3).map((b) => b.count)).toEqual([2, 1, 1]);
  });

  it('widens a single value to [v − 0.5, v + 0.5]; no values, no bins', () => {
    expect(lengthHistogram([7, 7, 7], 2)).toEqual([
      { start: 6.5, end: 7, count: 0 },
      { start: 7, end: 7.5, count: 3 },
    ]);
    expect(lengthHistogram([], 5)).toEqual([]);
    expect(() => lengthHistogram([1], 0)).toThrow(/bins/);
  });
});

describe('clippedHistogram', () => {
  it('bins up to p99 when the maximum is past twice it, and counts the rest', () => {
    // 1..100 and one 10,000: p99 of 101 values at h = 99 → 100; 10,000 > 200 → clipped
    const values = [...Array.from({ length: 100 }, (_, i) => i + 1), 10_000];
    const h = clippedHistogram(values, 10, 99);
    expect(h.above).toEqual({ from: 100, count: 1 });
    expect(h.bins.map((b) => b.count)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(h.bins.at(-1)!.end).toBe(100);
  });

  it('keeps the whole range without a long tail', () => {
    expect(clippedHistogram([1, 2, 4, 5], 4).above).toEqual({ from: 5, count: 0 });
    expect(clippedHistogram([], 4)).toEqual({ bins: [], above: { from: NaN, count: 0 } });
  });
});
