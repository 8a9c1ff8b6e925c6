import { Pcg64 } from './pcg64.ts';

/**
 * `np.random.default_rng(seed).permutation(n)`, exactly: Fisher–Yates from the top
 * (numpy's `_shuffle_raw`: for i = n−1 … 1, j = random_interval(i), swap) on arange(n).
 * Cost O(n) with ~1.4 32-bit draws per element on average (masked rejection); time for n = 24,000
 * in docs/benchmarks.md.
 */
export function numpyPermutation(n: number, seed: bigint | number): Uint32Array {
  return shuffledRange(n, Pcg64.fromSeed(seed));
}

/** Fisher–Yates of 0..n−1 with numpy's draw order, on a given generator (advanced in place). */
export function shuffledRange(n: number, rng: Pcg64): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.interval(i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
