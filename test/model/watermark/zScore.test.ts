import { describe, expect, it } from 'vitest';
import { zScore } from '../../../src/model/watermark/zScore.ts';

describe('zScore', () => {
  it('is (K − γT)/√(Tγ(1−γ))', () => {
    // T = 100, γ = 0.25: mean 25, sd √18.75 = 4.330127…
    expect(zScore(25, 100, 0.25)).toBe(0);
    expect(zScore(50, 100, 0.25)).toBeCloseTo(25 / Math.sqrt(18.75), 12);
    expect(zScore(50, 100, 0.25)).toBeCloseTo(5.773502691896258, 12);
    expect(zScore(10, 100, 0.25)).toBeCloseTo(-3.464101615137754, 12);
    // T = 12, K = 12 (all green): 9/√2.25 = 6
    expect(zScore(12, 12, 0.25)).toBe(6);
  });

  it('is 0 when nothing was scored', () => {
    expect(zScore(0, 0, 0.25)).toBe(0);
  });
});
