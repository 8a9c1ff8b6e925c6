import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { chunkBatches, lengthSortedBatches, stackExamples, trimPadding } from '../../../src/model/nn/batch.ts';
import { evaluateLoss } from '../../../src/model/nn/evaluate.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { batchLoss } from '../../../src/model/nn/step.ts';
import { BLOCK_VARIANTS, tiny } from './tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

/** B rows of context T; row b counts its first lens[b] targets, padded with id 0 after them. */
function padded(T: number, lens: number[]) {
  return stackExamples(
    lens.map((n, b) => ({
      ids: Int32Array.from({ length: T + 1 }, (_, t) => (t <= n ? 1 + ((3 * b + 5 * t) % 9) : 0)),
      mask: Float32Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)),
    })),
  );
}

describe('trimPadding', () => {
  it('cuts every row to the longest counted one, rounded up to the multiple', () => {
    const b = padded(8, [3, 2, 1]);
    const t = trimPadding(b, 2);
    expect(t.T).toBe(4);
    expect(t.B).toBe(3);
    expect(t.tokens).toBe(6);
    for (let r = 0; r < 3; r++) {
      expect(Array.from(t.x.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(b.x.subarray(r * 8, r * 8 + 4)));
      expect(Array.from(t.y.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(b.y.subarray(r * 8, r * 8 + 4)));
      expect(Array.from(t.mask.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(b.mask.subarray(r * 8, r * 8 + 4)));
    }
    expect(trimPadding(b, 1).T).toBe(3);
    expect(trimPadding(b, 64).T).toBe(8); // never past T
  });

  it('leaves full rows and a batch with nothing counted at least one multiple long', () => {
    const full = padded(6, [6, 1]);
    expect(trimPadding(full, 4)).toBe(full);
    expect(trimPadding(padded(8, [0, 0]), 2).T).toBe(2);
  });

  it('gives the same loss and gradients as the padded batch, for every block variant', async () => {
    const T = 6;
    const b = padded(T, [3, 1, 2]);
    const cut = trimPadding(b, 1);
    expect(cut.T).toBe(3);
    for (const [name, over] of Object.entries(BLOCK_VARIANTS)) {
      const c = tiny(over);
      const w = initWeights(c, 5);
      const vars = [...w.values()];
      const run = (batch: typeof b) => tf.variableGrads(() => batchLoss(w, c, batch), vars);
      const full = run(b);
      const trimmed = run(cut);
      expect((await trimmed.value.data())[0], name).toBeCloseTo((await full.value.data())[0], 6);
      for (const k of Object.keys(full.grads)) {
        const [g, h] = [await full.grads[k].data(), await trimmed.grads[k].data()];
        const err = Math.max(...Array.from(g, (v, i) => Math.abs(v - h[i])));
        expect(err, `${name}: d${k}`).toBeLessThan(1e-6);
      }
      tf.dispose([full.value, trimmed.value, ...Object.values(full.grads), ...Object.values(trimmed.grads)]);
      disposeWeights(w);
    }
  });

  it('an evaluation over length-sorted, trimmed batches gives the token-weighted loss of batches in order', async () => {
    const T = 6;
    const lens = [6, 1, 4, 2, 5, 3, 1, 6, 2]; // 9 examples, batches of 4: the last one short
    const examples = lens.map((n, b) => ({
      ids: Int32Array.from({ length: T + 1 }, (_, t) => (t <= n ? 1 + ((3 * b + 5 * t) % 9) : 0)),
      mask: Float32Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)),
    }));
    const sorted = lengthSortedBatches(examples, 4, 2);
    expect(sorted.map((b) => b.T)).toEqual([2, 6, 6]); // rows of lengths 1,1,2,2 | 3,4,5,6 | 6
    expect(sorted.map((b) => b.B)).toEqual([4, 4, 1]);
    expect(examples.map((e) => e.mask.reduce((a, x) => a + x, 0))).toEqual(lens); // input order kept
    const c = tiny();
    const w = initWeights(c, 9);
    const inOrder = await evaluateLoss(w, c, chunkBatches(examples, 4));
    expect(await evaluateLoss(w, c, sorted)).toBeCloseTo(inOrder, 6);
    expect(await evaluateLoss(w, c, sorted, 3)).toBeCloseTo(inOrder, 6); // micro-batches too
    disposeWeights(w);
  });
});
