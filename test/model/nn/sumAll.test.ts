import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { sumAll } from '../../../src/model/nn/sumAll.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('sumAll', () => {
  it('sums any number of tensors (odd counts, one, many) like addN', async () => {
    for (const n of [1, 2, 3, 8, 9, 111]) {
      const ts = Array.from({ length: n }, (_, i) => tf.tensor1d([i, -2 * i]));
      const got = await sumAll(ts).data();
      const want = await tf.addN(ts).data();
      expect(Array.from(got, (x) => x + 0)).toEqual(Array.from(want, (x) => x + 0)); // +0 folds -0
      tf.dispose(ts);
    }
  });

  it('refuses an empty list', () => {
    expect(() => sumAll([])).toThrow(/nothing to sum/);
  });
});
