import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/model/nn/rng.ts';
import { topKIndices } from '../../../../src/model/nn/sampling/topK.ts';

describe('topKIndices', () => {
  it('returns the k largest, largest first, lower id first on ties', () => {
    expect(Array.from(topKIndices(Float32Array.of(0.1, 3, 2, 3, -1), 3))).toEqual([1, 3, 2]);
    expect(Array.from(topKIndices(Float32Array.of(-Infinity, 5, -Infinity), 3))).toEqual([1, 0, 2]);
    expect(Array.from(topKIndices(Float32Array.of(1, 2), 5))).toEqual([1, 0]);
  });

  it('agrees with a full stable sort on random values', () => {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 3000 }, () => Math.round(rng.next() * 500)); // many ties
    const ref = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[b] - x[a] || a - b);
    expect(Array.from(topKIndices(x, 40))).toEqual(ref.slice(0, 40));
  });
});
