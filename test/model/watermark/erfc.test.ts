import { describe, expect, it } from 'vitest';
import { erfc, normalSf } from '../../../src/model/watermark/erfc.ts';
import { vectors } from './vectors.ts';

describe('erfc', () => {
  it.each(vectors.erfc)('erfc(%d) matches Python math.erfc to 1e-13 relative', (x, want) => {
    const got = erfc(x);
    if (want === 0) expect(got).toBe(0);
    else expect(Math.abs(got - want) / want).toBeLessThan(1e-13);
  });

  it('is NaN for NaN and 0 far in the tail', () => {
    expect(erfc(NaN)).toBeNaN();
    expect(erfc(40)).toBe(0);
    expect(erfc(-40)).toBe(2);
  });
});

describe('normalSf', () => {
  it('gives the textbook one-sided tails', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(normalSf(4)).toBeCloseTo(3.167124183311992e-5, 17);
    expect(normalSf(-4)).toBeCloseTo(1 - 3.167124183311992e-5, 14);
  });
});
