import { describe, expect, it } from 'vitest';
import { applyNoRepeatNgram, bannedNgramTokens } from '../../../../src/model/nn/sampling/noRepeatNgram.ts';

describe('bannedNgramTokens', () => {
  it('bans what followed every earlier occurrence of the last n−1 ids', () => {
    expect(bannedNgramTokens([1, 2, 3, 1], 2)).toEqual([2]);
    expect(bannedNgramTokens([1, 2, 1, 3, 1], 2).sort()).toEqual([2, 3]);
    expect(bannedNgramTokens([5, 6, 7, 5, 6], 3)).toEqual([7]);
    expect(bannedNgramTokens([5, 6, 7, 6, 5], 3)).toEqual([]);
  });

  it('bans every seen id for n = 1 and nothing while the context is shorter than n − 1', () => {
    expect(bannedNgramTokens([4, 2, 4], 1).sort()).toEqual([2, 4]);
    expect(bannedNgramTokens([5], 3)).toEqual([]);
    expect(bannedNgramTokens([], 2)).toEqual([]);
    expect(bannedNgramTokens([1, 1], 0)).toEqual([]);
  });
});

describe('applyNoRepeatNgram', () => {
  it('sets banned logits to −∞ in place', () => {
    const logits = Float32Array.of(0, 1, 2, 3);
    applyNoRepeatNgram(logits, [1, 2, 1], 2);
    expect(Array.from(logits)).toEqual([0, 1, -Infinity, 3]);
  });
});
