import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { maskedCrossEntropy } from '../../src/model/loss.ts';

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
