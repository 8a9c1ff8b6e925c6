import { describe, expect, it } from 'vitest';
import { nucleusIds, nucleusSize } from '../../../../src/model/nn/sampling/topP.ts';
import { Rng } from '../../../../src/model/nn/rng.ts';

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

describe('nucleusIds', () => {
  it('equals a full sort cut by nucleusSize, at any nucleus size, with ties and banned ids', () => {
    const rng = new Rng(11);
    for (const [V, spread, T, p] of [[5, 1, 1, 0.6], [3000, 0.5, 1, 0.9], [3000, 8, 0.7, 0.95], [3000, 12, 1, 0.5]] as const) {
      const x = Float32Array.from({ length: V }, () => (rng.next() < 0.1 ? -Infinity : Math.round((rng.next() - 0.5) * spread * 64) / 64));
      const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => (x[b] > x[a] ? 1 : x[b] < x[a] ? -1 : a - b));
      const max = x[order[0]];
      const w = order.map((i) => Math.exp((x[i] - max) / T));
      const total = Array.from({ length: V }, (_, i) => Math.exp((x[i] - max) / T)).reduce((a, b) => a + b, 0);
      const n = nucleusSize(w, total, p);
      expect(Array.from(nucleusIds(x, T, p))).toEqual(order.slice(0, n));
    }
  });
});
