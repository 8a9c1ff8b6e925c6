import { Rng } from '../model/nn/rng.ts';

/** Euclidean distance between the mean of `a` and the mean of `b` (points of equal dimension). */
export function meanDistance(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  if (a.length === 0 || b.length === 0) throw new RangeError(`meanDistance: both groups need points (got ${a.length} and ${b.length})`);
  const d = a[0].length;
  const ma = new Float64Array(d);
  const mb = new Float64Array(d);
  for (const r of a) for (let j = 0; j < d; j++) ma[j] += r[j];
  for (const r of b) for (let j = 0; j < d; j++) mb[j] += r[j];
  let s = 0;
  for (let j = 0; j < d; j++) s += (ma[j] / a.length - mb[j] / b.length) ** 2;
  return Math.sqrt(s);
}

/** What {@link permutationTest} found. */
export interface PermutationResult {
  /** The mean-embedding distance of the groups as given. */
  readonly observed: number;
  /** Shuffles whose distance was ≥ the observed one. */
  readonly exceedances: number;
  readonly permutations: number;
  /** (exceedances + 1) / (permutations + 1): never 0, the smallest is 1/(R + 1). */
  readonly pValue: number;
}

/**
 * Two-sample permutation test of the distance between group means: the labels of the pooled points
 * are shuffled `permutations` times (Fisher–Yates with a seeded sfc32, so a seed gives the same p),
 * the first |a| shuffled points form group a, and p = (count ≥ observed + 1) / (R + 1). "≥" allows a
 * relative 1e-12 for summation order, so a shuffle that restores the groups counts. Cost R·min(|a|,
 * |b|)·d additions: the smaller group is summed and the other's sum is the total minus it.
 *
 * @example
 * permutationTest([[0], [0.1]], [[5], [5.1]], { permutations: 999, seed: 1 }).pValue // 1/3: only 2 of the 6 splits are as far apart
 */
export function permutationTest(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], opts: { readonly permutations: number; readonly seed: number }): PermutationResult {
  const R = opts.permutations;
  if (!Number.isInteger(R) || R < 1) throw new RangeError(`permutationTest: permutations must be an integer ≥ 1, got ${R}`);
  const observed = meanDistance(a, b);
  const pooled = [...a, ...b];
  const n = pooled.length;
  const d = pooled[0].length;
  const total = new Float64Array(d);
  for (const r of pooled) for (let j = 0; j < d; j++) total[j] += r[j];
  const na = a.length;
  const nb = b.length;
  const small = Math.min(na, nb); // the shuffled prefix summed: group a when it is the smaller
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(opts.seed);
  const sum = new Float64Array(d);
  const threshold = observed * (1 - 1e-12);
  let exceedances = 0;
  for (let r = 0; r < R; r++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    sum.fill(0);
    // group a = the first na of the shuffle; sum whichever side is smaller
    const from = na <= nb ? 0 : na;
    for (let i = from; i < from + small; i++) {
      const row = pooled[order[i]];
      for (let j = 0; j < d; j++) sum[j] += row[j];
    }
    let s = 0;
    for (let j = 0; j < d; j++) {
      const sa = na <= nb ? sum[j] : total[j] - sum[j];
      s += (sa / na - (total[j] - sa) / nb) ** 2;
    }
    if (Math.sqrt(s) >= threshold) exceedances++;
  }
  return { observed, exceedances, permutations: R, pValue: (exceedances + 1) / (R + 1) };
}
