import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights, forward, initWeights } from '../../../src/model/nn/gpt.ts';
import { batchLoss } from '../../../src/model/nn/step.ts';
import { forwardRef, lossRef, randomizeWeights, toRef } from './ref64.ts';
import { BLOCK_VARIANTS, randomBatch, tiny } from './tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('forward against the float64 reference', () => {
  for (const [name, over] of Object.entries(BLOCK_VARIANTS)) {
    it(`matches for ${name} (max abs error < 1e-4 on logits of scale ~1)`, () => {
      const c = tiny(over);
      const w = initWeights(c, 7);
      randomizeWeights(w, 100, 0.3);
      const batch = randomBatch(c, 2, 6, 3);
      const logits = tf.tidy(() => forward(tf.tensor2d(batch.x, [2, 6], 'int32'), w, c).arraySync()) as number[][][];
      const r = toRef(w);
      let maxErr = 0;
      let maxAbs = 0;
      batch.xs.forEach((ids, b) =>
        forwardRef(ids, r, c).forEach((row, t) =>
          row.forEach((v, j) => {
            maxErr = Math.max(maxErr, Math.abs(v - logits[b][t][j]));
            maxAbs = Math.max(maxAbs, Math.abs(v));
          }),
        ),
      );
      expect(maxAbs).toBeGreaterThan(0.1); // the weights are large enough for the check to mean something
      expect(maxErr).toBeLessThan(1e-4);
      disposeWeights(w);
    });
  }
});

describe('gradients against float64 central differences of the reference', () => {
  // tfjs gradients (float32) vs (L(w + h) − L(w − h)) / 2h of the float64 reference with h = 1e-5
  // (truncation ~1e-10, rounding ~1e-11): the error left is float32's. Tolerance: |Δ| ≤ 1e-3·|g| + 2e-6.
  for (const [name, over] of Object.entries(BLOCK_VARIANTS)) {
    it(`matches on 4 coordinates of every tensor for ${name}`, () => {
      const c = tiny(over);
      const w = initWeights(c, 11);
      randomizeWeights(w, 200, 0.3);
      const batch = randomBatch(c, 2, 6, 5);
      const { value, grads } = tf.variableGrads(() => batchLoss(w, c, batch), [...w.values()]);
      const r = toRef(w);
      expect(value.dataSync()[0]).toBeCloseTo(lossRef(batch.xs, batch.ys, r, c), 4);
      const h = 1e-5;
      let checked = 0;
      for (const [pname, v] of w) {
        // every parameter tensor is used by the forward pass (a spec the model ignores has no gradient)
        expect(grads[v.name], pname).toBeDefined();
        const g = grads[v.name].dataSync();
        const p = r.get(pname)!;
        for (let s = 0; s < 4; s++) {
          const k = Math.floor(((s + 0.5) / 4) * p.length);
          const orig = p[k];
          p[k] = orig + h;
          const up = lossRef(batch.xs, batch.ys, r, c);
          p[k] = orig - h;
          const down = lossRef(batch.xs, batch.ys, r, c);
          p[k] = orig;
          const num = (up - down) / (2 * h);
          expect(Math.abs(g[k] - num), `${pname}[${k}]: tfjs ${g[k]} vs numeric ${num}`).toBeLessThanOrEqual(1e-3 * Math.abs(num) + 2e-6);
          checked++;
        }
      }
      expect(checked).toBe(4 * w.size);
      tf.dispose([value, grads]);
      disposeWeights(w);
    });
  }
});

describe('causality', () => {
  for (const [name, over] of Object.entries(BLOCK_VARIANTS)) {
    it(`changing token t leaves logits before t unchanged (${name})`, () => {
      const c = tiny(over);
      const w = initWeights(c, 3);
      randomizeWeights(w, 300, 0.3);
      const a = [1, 2, 3, 4, 5, 6];
      const b = [1, 2, 3, 9, 0, 7]; // differs from position 3 on
      const [la, lb] = tf.tidy(() => [a, b].map((ids) => forward(tf.tensor2d([ids], [1, 6], 'int32'), w, c).arraySync()[0])) as number[][][];
      for (let t = 0; t < 3; t++) for (let j = 0; j < c.vocabSize; j++) expect(lb[t][j]).toBe(la[t][j]);
      expect(Math.max(...la[3].map((v, j) => Math.abs(v - lb[3][j])))).toBeGreaterThan(1e-3);
      disposeWeights(w);
    });
  }
});

describe('untrained loss', () => {
  it('is within 0.05 of ln(vocab) at init_std 0.02', () => {
    const c = tiny({ vocabSize: 64, hidden: 32, heads: 4, kvHeads: 2, headDim: 8, ffn: 64 });
    const w = initWeights(c, 1);
    const batch = randomBatch(c, 4, 6, 9);
    const loss = tf.tidy(() => batchLoss(w, c, batch).dataSync()[0]);
    expect(Math.abs(loss - Math.log(64))).toBeLessThan(0.05);
    disposeWeights(w);
  });
});
