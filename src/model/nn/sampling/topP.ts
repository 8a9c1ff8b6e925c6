import { compareDesc } from './topK.ts';

/** Log-weight buckets for nucleusIds: 4 per nat down to e^−64, the rest share the last one. */
const BUCKETS = 256;

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

/**
 * The nucleus of logits [V] at `temperature` (> 0), largest first: the same ids, in the same order,
 * as sorting all V and cutting with nucleusSize, without sorting all V. Tokens are bucketed by
 * log-weight (4 buckets per nat); every bucket above the one where the cumulative mass crosses p lies
 * wholly inside the nucleus, so only the tokens down to that bucket (plus one more, against round-off)
 * are sorted. Cost O(V + m log m), m ≈ nucleus size (e.g. 1,700 of V = 24,000), instead of
 * O(V log V) for the full sort (timings: docs/benchmarks.md).
 */
export function nucleusIds(logits: Float32Array, temperature: number, p: number): Uint32Array {
  const V = logits.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i];
  const w = new Float64Array(V);
  const bucket = new Uint8Array(V);
  const mass = new Float64Array(BUCKETS);
  let total = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.exp((logits[i] - max) / temperature);
    total += w[i];
    bucket[i] = Math.min(BUCKETS - 1, Math.floor(((max - logits[i]) / temperature) * 4));
    mass[bucket[i]] += w[i];
  }
  let last = BUCKETS - 1;
  let cum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    cum += mass[b];
    if (cum > p * total) {
      last = Math.min(BUCKETS - 1, b + 1);
      break;
    }
  }
  const cand: number[] = [];
  for (let i = 0; i < V; i++) if (bucket[i] <= last) cand.push(i);
  const sorted = Uint32Array.from(cand).sort((a, b) => compareDesc(logits, a, b));
  const n = nucleusSize(Float64Array.from(sorted, (i) => w[i]), total, p);
  return sorted.subarray(0, n);
}
