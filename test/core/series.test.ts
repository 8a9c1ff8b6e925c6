import { describe, it, expect } from 'vitest';
import { downsample, emptySeries, pushPoint, seriesPoints, type Series } from '../../src/core/series.ts';

function fill(n: number, cap: number): Series {
  let s = emptySeries(cap);
  for (let i = 1; i <= n; i++) s = pushPoint(s, i, i);
  return s;
}

describe('series', () => {
  it('keeps every point while under the cap', () => {
    expect(seriesPoints(fill(3, 4))).toEqual([[1, 1], [2, 2], [3, 3]]);
  });

  it('halves into pair means and doubles the stride when the cap is passed', () => {
    const s = fill(5, 4);
    // 5 points > cap 4: (1,2)(3,4)(5) → means 1.5, 3.5 and 5 alone.
    expect(s.stride).toBe(2);
    expect(s.points).toEqual([[2, 1.5], [4, 3.5], [5, 5]]);
    // the next raw point waits in a half-filled bucket but is visible
    const t = pushPoint(s, 6, 6);
    expect(t.pending).toEqual([[6, 6]]);
    expect(seriesPoints(t).at(-1)).toEqual([6, 6]);
    expect(pushPoint(t, 7, 8).points.at(-1)).toEqual([7, 7]);
  });

  it('stays within the cap over a long run and ends at the last step', () => {
    const s = fill(100_000, 1000);
    const pts = seriesPoints(s);
    expect(pts.length).toBeLessThanOrEqual(1001);
    expect(pts.length).toBeGreaterThan(400);
    expect(pts.at(-1)![0]).toBe(100_000);
  });

  it('skips non-finite values', () => {
    const s = pushPoint(pushPoint(emptySeries(4), 1, NaN), 2, Infinity);
    expect(seriesPoints(s)).toEqual([]);
  });

  it('downsamples to at most n bucket means keeping each bucket’s last step', () => {
    const pts = Array.from({ length: 10 }, (_, i) => [i + 1, i + 1] as const);
    expect(downsample(pts, 5)).toEqual([[2, 1.5], [4, 3.5], [6, 5.5], [8, 7.5], [10, 9.5]]);
    expect(downsample(pts, 20)).toHaveLength(10);
    expect(downsample(pts, 3)).toHaveLength(3);
  });

  it('rejects a cap below 2', () => {
    expect(() => emptySeries(1)).toThrow(RangeError);
  });
});
