import { describe, expect, it } from 'vitest';
import { chunkBatches } from '../../../src/model/nn/batch.ts';

const ex = (k: number) => ({ ids: Int32Array.from([k, k + 1, k + 2]), mask: Float32Array.from([1, 1]) });
const examples = Array.from({ length: 7 }, (_, k) => ex(k));

describe('chunkBatches', () => {
  it('stacks consecutive examples, the last batch shorter', () => {
    const b = chunkBatches(examples, 3);
    expect(b.map((x) => x.B)).toEqual([3, 3, 1]);
    expect(Array.from(b[1].x)).toEqual([3, 4, 4, 5, 5, 6]);
    expect(b[2].tokens).toBe(2);
  });

  it('stops after max batches', () => {
    expect(chunkBatches(examples, 2, 2).map((x) => x.B)).toEqual([2, 2]);
    expect(chunkBatches([], 2)).toEqual([]);
  });
});
