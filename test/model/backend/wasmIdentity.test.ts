import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { randomBatch, tiny } from '../nn/tiny.ts';

const refCount = (t: tf.Tensor) => (tf.backend() as unknown as { refCount(dataId: object): number }).refCount(t.dataId);

describe('wasm Identity shares storage (wasmIdentity.ts)', () => {
  beforeAll(async () => {
    await setupBackend('wasm');
  });

  it('clones without copying, and a clone outlives its source', () => {
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor1d([1, -2, 3.5]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(refCount(x)).toBe(2);
    expect(tf.memory().numDataBuffers - before).toBe(1); // one buffer, not two
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3.5]);
    expect(refCount(y)).toBe(1);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
    expect(Array.from(tf.clone(tf.tensor1d(['a', 'b'], 'string')).dataSync() as unknown as string[])).toEqual(['a', 'b']); // strings: the stock copy
  });

  it('leaves the weights to themselves by the optimizer step, so AdamW still updates them in place', () => {
    const c = tiny();
    const w = initWeights(c, 3);
    const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
    const ids = new Map([...w].map(([n, v]) => [n, v.dataId]));
    const first = [...w.values()][0].dataSync().slice();
    for (let i = 0; i < 3; i++) {
      const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 2, 6, 7 + i), 1e-2, i, 2);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      tf.dispose([loss, gradNorm]);
    }
    for (const [n, v] of w) {
      expect(v.dataId, n).toBe(ids.get(n)); // in place: the composite path would assign new storage
      expect(refCount(v), n).toBe(1);
    }
    expect([...w.values()][0].dataSync()).not.toEqual(first); // and it did move
    opt.dispose();
    disposeWeights(w);
  });
});
