/**
 * Nucleus size under Poetru's rule: with probabilities sorted descending, keep tokens while the
 * cumulative probability stays ≤ p, and always the first. (HF instead also keeps the token that
 * crosses p; Poetru's rule is one token stricter.) `weights` are unnormalised, in descending order;
 * `total` is their sum. O(kept).
 *
 * @example nucleusSize([0.5, 0.3, 0.2], 1, 0.85) // 2: 0.5, 0.8 ≤ 0.85; 1.0 is not
 */
export function nucleusSize(weights: ArrayLike<number>, total: number, p: number): number {
  if (weights.length === 0) return 0;
  if (p >= 1) return weights.length;
  let cum = weights[0] / total;
  let n = 1;
  for (; n < weights.length; n++) {
    cum += weights[n] / total;
    if (cum > p) break;
  }
  return n;
}
