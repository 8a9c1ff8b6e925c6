import { describe, expect, it } from 'vitest';
import { meanDistance, permutationTest } from '../../src/eval/permutationTest.ts';
import { Rng } from '../../src/model/nn/rng.ts';

const cloud = (n: number, d: number, centre: number, seed: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => centre + rng.next() - 0.5));
};

describe('meanDistance', () => {
  it('is the Euclidean distance of the means', () => {
    expect(meanDistance([[0, 0], [2, 0]], [[1, 3], [1, 5], [1, 1]])).toBe(3); // means (1, 0) and (1, 3)
    expect(meanDistance([[1, 2, 3]], [[1, 2, 3]])).toBe(0);
  });
});

describe('permutationTest', () => {
  it('two well-separated clusters: no shuffle comes close, p = 1/(R + 1)', () => {
    const r = permutationTest(cloud(30, 8, 0, 1), cloud(30, 8, 3, 2), { permutations: 999, seed: 7 });
    expect(r.observed).toBeCloseTo(3 * Math.sqrt(8), 0);
    expect(r.exceedances).toBe(0);
    expect(r.pValue).toBe(1 / 1000);
  });

  it('the same distribution: p is not small', () => {
    const r = permutationTest(cloud(40, 8, 0, 3), cloud(40, 8, 0, 4), { permutations: 999, seed: 7 });
    expect(r.pValue).toBeGreaterThan(0.05);
  });

  it('converges to the exact share of splits: {0,1} vs {2,3} is one of 3 equally far pairs of 6 splits → p ≈ 1/3', () => {
    // splits of {0,1,2,3} into 2+2: mean gaps 2, 1, 0, 0, 1, 2 → 2 of 6 are ≥ the observed 2
    const r = permutationTest([[0], [1]], [[2], [3]], { permutations: 30000, seed: 11 });
    expect(r.observed).toBe(2);
    expect(r.pValue).toBeGreaterThan(0.32);
    expect(r.pValue).toBeLessThan(0.345);
  });

  it('unequal groups: sums the smaller side and gets the same answer as a hand count', () => {
    // a = {0, 0, 0}, b = {6}: splits put 6 in a (3 of 4) → |2 − 0| = 2 < 6, or in b (1 of 4) → 6 ≥ 6; p ≈ 1/4
    const r = permutationTest([[0], [0], [0]], [[6]], { permutations: 20000, seed: 5 });
    expect(r.observed).toBe(6);
    expect(r.pValue).toBeGreaterThan(0.24);
    expect(r.pValue).toBeLessThan(0.26);
  });

  it('is deterministic for a seed', () => {
    const a = cloud(10, 4, 0, 8);
    const b = cloud(10, 4, 0.2, 9);
    expect(permutationTest(a, b, { permutations: 200, seed: 3 })).toEqual(permutationTest(a, b, { permutations: 200, seed: 3 }));
  });
});
