import { describe, expect, it } from 'vitest';
import { nucleusSize } from '../../../src/model/sampling/topP.ts';

describe('nucleusSize', () => {
  it('keeps tokens while the cumulative probability is ≤ p, and always the top one', () => {
    const w = [0.5, 0.3, 0.2];
    expect(nucleusSize(w, 1, 0.85)).toBe(2); // 0.5, 0.8 ≤ 0.85; 1.0 > 0.85
    expect(nucleusSize(w, 1, 0.5)).toBe(1); // 0.5 ≤ 0.5; 0.8 > 0.5
    expect(nucleusSize(w, 1, 0.4)).toBe(1); // top alone exceeds p: still kept
    expect(nucleusSize(w, 1, 1)).toBe(3);
  });

  it('normalises by total', () => {
    expect(nucleusSize([5, 3, 2], 10, 0.85)).toBe(2);
    expect(nucleusSize([5, 3, 2], 20, 0.85)).toBe(3); // as if a 4th token held half the mass
  });

  it('is 0 for no candidates', () => {
    expect(nucleusSize([], 1, 0.9)).toBe(0);
  });
});
