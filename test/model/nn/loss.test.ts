import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { maskedCrossEntropy } from '../../../src/model/nn/loss.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('maskedCrossEntropy', () => {
  it('is ln(V) for uniform logits', () => {
    const l = tf.tidy(() => maskedCrossEntropy(tf.zeros([3, 7]), tf.tensor1d([0, 3, 6], 'int32'), tf.ones([3])).dataSync()[0]);
    expect(l).toBeCloseTo(Math.log(7), 6);
  });

  it('averages only the unmasked positions (hand-computed)', () => {
    // row 0: logits [0, ln 3] target 1 → −ln(3/4); row 1 masked out; row 2: [0, 0] target 0 → ln 2.
    const l = tf.tidy(() =>
      maskedCrossEntropy(tf.tensor2d([[0, Math.log(3)], [5, -5], [0, 0]]), tf.tensor1d([1, 1, 0], 'int32'), tf.tensor1d([1, 0, 1])).dataSync()[0],
    );
    expect(l).toBeCloseTo((-Math.log(3 / 4) + Math.log(2)) / 2, 6);
  });
});

describe('maskedCrossEntropy gradient (hand-written)', () => {
  // the plain autodiff formulation it replaces: −Σ mask · log_softmax(z)[t] / Σ mask
  const reference = (z: tf.Tensor2D, t: tf.Tensor1D, m: tf.Tensor1D) =>
    tf.logSoftmax(z).mul(tf.oneHot(t, z.shape[1]).cast('float32')).sum(-1).neg().mul(m).sum().div(m.sum().maximum(1)) as tf.Scalar;

  it('matches autodiff of the reference formula in value and gradient, padding included', async () => {
    const z = tf.randomNormal([6, 11], 0, 3, 'float32', 5) as tf.Tensor2D;
    const t = tf.tensor1d([0, 10, 3, 3, 7, 1], 'int32');
    const m = tf.tensor1d([1, 1, 0, 1, 1, 0]);
    const [ours, ref] = [maskedCrossEntropy, reference].map((f) => tf.valueAndGrad((x: tf.Tensor) => f(x as tf.Tensor2D, t, m))(z));
    expect((await ours.value.data())[0]).toBeCloseTo((await ref.value.data())[0], 5);
    const [g, r] = [await ours.grad.data(), await ref.grad.data()];
    for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(r[i], 6);
    // masked rows get no gradient
    expect(Array.from(g.slice(2 * 11, 3 * 11)).every((v) => v === 0)).toBe(true);
    tf.dispose([z, t, m, ours.value, ours.grad, ref.value, ref.grad]);
  });

  it('stays finite for large logits (logsumexp is shifted by the row max)', async () => {
    const l = maskedCrossEntropy(tf.tensor2d([[1000, 0, -1000]]), tf.tensor1d([0], 'int32'), tf.ones([1]));
    expect((await l.data())[0]).toBeCloseTo(0, 5);
  });
});
