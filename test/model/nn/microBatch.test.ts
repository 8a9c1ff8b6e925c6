import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { microBatches, stackExamples } from '../../../src/model/nn/batch.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const c = resolveGptConfig({ vocabSize: 20, context: 6, layers: 1, hidden: 16, heads: 2, kvHeads: 1, headDim: 0, ffn: 32, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.1 });
// 5 rows with unequal padding, so micro-batches carry unequal token counts
const batch = stackExamples(
  Array.from({ length: 5 }, (_, b) => ({
    ids: Int32Array.from({ length: 7 }, (_, t) => (3 * b + 5 * t + 1) % 20),
    mask: Float32Array.from({ length: 6 }, (_, t) => (t < 6 - b ? 1 : 0)),
  })),
);

async function stepWith(micro: number) {
  const w = initWeights(c, 3);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((p) => p.decay).map((p) => p.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const { loss, gradNorm } = gradientStep(w, c, opt, batch, 1e-2, 0, micro);
  const out = { loss: (await loss.data())[0], norm: (await gradNorm.data())[0], wte: Array.from(await w.get('wte')!.data()) };
  tf.dispose([loss, gradNorm]);
  disposeWeights(w);
  opt.dispose();
  return out;
}

describe('gradient accumulation over micro-batches', () => {
  it('splits a batch into row ranges with their own token counts', () => {
    const parts = microBatches(batch, 2);
    expect(parts.map((p) => p.B)).toEqual([2, 2, 1]);
    expect(parts.map((p) => p.tokens)).toEqual([6 + 5, 4 + 3, 2]);
    expect(microBatches(batch, 0)).toEqual([batch]);
  });

  it('gives the loss, grad norm and update of the whole batch', async () => {
    const whole = await stepWith(0);
    for (const micro of [1, 2, 3]) {
      const acc = await stepWith(micro);
      expect(acc.loss).toBeCloseTo(whole.loss, 5);
      expect(acc.norm).toBeCloseTo(whole.norm, 5);
      const maxDiff = Math.max(...acc.wte.map((v, i) => Math.abs(v - whole.wte[i])));
      expect(maxDiff).toBeLessThan(1e-6);
    }
  });

  it('leaks no tensors', async () => {
    await stepWith(2);
    const before = tf.memory().numTensors;
    await stepWith(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
