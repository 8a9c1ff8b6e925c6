import { describe, expect, it } from 'vitest';
import { LEFTHASH_KEY, lefthashScheme } from '../../../src/model/watermark/lefthash.ts';
import { idsSha, vectors } from './vectors.ts';

describe('lefthashScheme', () => {
  it('seeds with hash_key × prev (15485863 · prev) through the numpy permutation', () => {
    expect(LEFTHASH_KEY).toBe(15485863n);
    const scheme = lefthashScheme({ vocabSize: 24000 });
    for (const v of vectors.lefthash) {
      expect(BigInt(v.seed)).toBe(LEFTHASH_KEY * BigInt(v.prev));
      expect(idsSha(scheme.greenList([v.prev]).ids)).toBe(v.greenSha);
    }
  });

  it('does not score the prompt by default', () => {
    expect(lefthashScheme({ vocabSize: 10 }).detectDefaults).toEqual({ scorePrompt: false, ignoreRepeatedNgrams: false });
  });
});
