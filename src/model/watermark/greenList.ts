import { numpyPermutation } from './permutation.ts';

/**
 * The green part of the vocabulary for one context: `ids` in permutation order (what the
 * reference implementations slice, `perm[:floor(γV)]`) and `mask[v] = 1` for a green v, for O(1)
 * membership during detection. (4γ + 1)·V bytes: 48 KB at V = 24,000, γ = 0.25.
 */
export interface GreenList {
  readonly ids: Uint32Array;
  readonly mask: Uint8Array;
}

/** Size of the green list as Python's `int(gamma * vocab_size)`. */
export function greenSize(vocabSize: number, gamma: number): number {
  return Math.floor(gamma * vocabSize);
}

/** Green list = first floor(γV) entries of `default_rng(seed).permutation(V)`. */
export function greenListFromSeed(seed: bigint, vocabSize: number, gamma: number): GreenList {
  const ids = numpyPermutation(vocabSize, seed).slice(0, greenSize(vocabSize, gamma));
  const mask = new Uint8Array(vocabSize);
  for (const id of ids) mask[id] = 1;
  return { ids, mask };
}
