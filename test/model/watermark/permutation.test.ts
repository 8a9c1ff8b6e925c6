import { describe, expect, it } from 'vitest';
import { numpyPermutation } from '../../../src/model/watermark/permutation.ts';
import { idsSha, vectors } from './vectors.ts';

describe('numpyPermutation', () => {
  it.each(vectors.smallPermutations.map((v) => [v.n, v.seed, v] as const))(
    'equals default_rng(seed).permutation(%i) for seed %s',
    (_, __, v) => {
      expect(Array.from(numpyPermutation(v.n, BigInt(v.seed)))).toEqual(v.perm);
    },
  );

  it('is a permutation of 0..n-1', () => {
    const p = numpyPermutation(24000, 1n);
    const seen = new Uint8Array(24000);
    for (const x of p) seen[x]++;
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('reproduces numpy for V = 24000 (full permutation hash)', () => {
    const v = vectors.poetru.find((x) => x.V === 24000 && x.prev === 126)!;
    const p = numpyPermutation(24000, BigInt(v.seed));
    expect(Array.from(p.slice(0, 16))).toEqual(v.permHead);
    expect(idsSha(p)).toBe(v.permSha);
  });
});
