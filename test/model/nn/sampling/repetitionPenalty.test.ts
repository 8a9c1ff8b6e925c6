import { describe, expect, it } from 'vitest';
import { applyRepetitionPenalty } from '../../../../src/model/nn/sampling/repetitionPenalty.ts';

describe('applyRepetitionPenalty', () => {
  it('divides positive and multiplies non-positive logits of seen ids, once per id', () => {
    const logits = Float32Array.of(2, -1, 0.5, 3, 0);
    applyRepetitionPenalty(logits, [0, 1, 1, 1, 4], 2);
    expect(Array.from(logits)).toEqual([1, -2, 0.5, 3, 0]);
  });

  it('is a no-op at penalty 1 and ignores ids outside the vocabulary', () => {
    const logits = Float32Array.of(2, -1);
    applyRepetitionPenalty(logits, [0, 1], 1);
    applyRepetitionPenalty(logits, [7, -1], 2);
    expect(Array.from(logits)).toEqual([2, -1]);
  });
});
