import { describe, expect, it } from 'vitest';
import { lrAt, type Schedule } from '../../../src/model/nn/schedule.ts';

const base = { lr: 1, minLr: 0.1, warmup: 10, total: 110 };

describe('lrAt', () => {
  it('warms up linearly from lr/warmup to lr for every kind', () => {
    for (const kind of ['cosine', 'wsd', 'linear', 'constant'] as const) {
      const s: Schedule = { ...base, kind };
      expect(lrAt(0, s)).toBeCloseTo(0.1, 12);
      expect(lrAt(4, s)).toBeCloseTo(0.5, 12);
      expect(lrAt(9, s)).toBeCloseTo(1, 12);
    }
  });

  it('cosine: lr at the end of warmup, the midpoint of lr and minLr halfway, minLr at the end and after', () => {
    const s: Schedule = { ...base, kind: 'cosine' };
    expect(lrAt(10, s)).toBeCloseTo(1, 12);
    expect(lrAt(60, s)).toBeCloseTo(0.55, 12);
    expect(lrAt(35, s)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)), 12);
    expect(lrAt(110, s)).toBeCloseTo(0.1, 12);
    expect(lrAt(500, s)).toBeCloseTo(0.1, 12);
  });

  it('linear: straight line from lr to minLr', () => {
    const s: Schedule = { ...base, kind: 'linear' };
    expect(lrAt(10, s)).toBeCloseTo(1, 12);
    expect(lrAt(60, s)).toBeCloseTo(0.55, 12);
    expect(lrAt(85, s)).toBeCloseTo(0.325, 12);
  });

  it('wsd: stable until the last decay fraction, then linear to minLr', () => {
    const s: Schedule = { ...base, kind: 'wsd', decayFraction: 0.2 }; // decay steps round(0.2·110) = 22, from step 88
    expect(lrAt(10, s)).toBe(1);
    expect(lrAt(87, s)).toBe(1);
    expect(lrAt(88, s)).toBeCloseTo(1, 12);
    expect(lrAt(99, s)).toBeCloseTo(1 - 0.9 * (11 / 22), 12);
    expect(lrAt(110, s)).toBeCloseTo(0.1, 12);
  });

  it('constant: lr after warmup, forever', () => {
    const s: Schedule = { ...base, kind: 'constant' };
    expect(lrAt(10, s)).toBe(1);
    expect(lrAt(1000, s)).toBe(1);
  });
});
