import { describe, expect, it } from 'vitest';
import { lengthHistogram } from '../../src/eval/lengthHistogram.ts';

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
