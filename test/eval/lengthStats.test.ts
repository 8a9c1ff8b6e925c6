import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { percentile, tokenLengthStats } from '../../src/eval/lengthStats.ts';

/** numpy 1.24.2: np.percentile (default linear) and np.std (ddof 0) (test/eval/fixtures/sklearn_vectors.py). */
const REF = JSON.parse(readFileSync(new URL('./fixtures/sklearn-vectors.json', import.meta.url), 'utf8')) as {
  percentiles: { values: number[]; mean: number; std: number; p25: number; p50: number; p75: number; p95: number }[];
};

describe('token length statistics', () => {
  it('hand-computed: lengths 1,2,3,4 over 25 characters', () => {
    // h = q/100·(n−1): p25 → 0.75 → 1 + 0.75·1; p95 → 2.85 → 3 + 0.85·1 (numpy evaluates it as 4 − 0.15)
    const s = tokenLengthStats([4, 1, 3, 2], 25);
    expect(s).toEqual({
      count: 4, mean: 2.5, std: Math.sqrt(1.25), min: 1, p25: 1.75, p50: 2.5, p75: 3.25, p95: 4 - 1 * (1 - (0.95 * 3 - 2)), max: 4, tokens: 10, chars: 25, chars_per_token: 2.5,
    });
  });

  it.each(REF.percentiles.map((c) => [c.values.join(','), c]))('matches numpy: %s', (_, c) => {
    const s = tokenLengthStats(c.values, 0);
    expect([s.p25, s.p50, s.p75, s.p95]).toEqual([c.p25, c.p50, c.p75, c.p95]); // bit for bit
    expect(s.mean).toBeCloseTo(c.mean, 12);
    expect(s.std).toBeCloseTo(c.std, 12);
  });

  it('edge cases: one value, no values, q outside [0, 100]', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([1, 9], 0)).toBe(1);
    expect(percentile([1, 9], 100)).toBe(9);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(tokenLengthStats([], 0)).toMatchObject({ count: 0, tokens: 0, chars_per_token: null });
  });
});
