import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { gelu } from '../../../src/model/nn/gpt.ts';
import { erfRef } from './ref64.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

// x · Φ(x) and its derivative Φ(x) + x · φ(x), to 10 digits (scipy.stats.norm.cdf/pdf):
// GELU(1) = 0.8413447461, GELU(−1) = −0.1586552539, GELU(2) = 1.9544997361, GELU(−3) = −0.0040496970;
// GELU'(1) = 0.8413447461 + 0.2419707245 = 1.0833154706, GELU'(−1) = 0.1586552539 − 0.2419707245 = −0.0833154706.
const XS = [1, -1, 2, -3];
const EXACT = [0.8413447461, -0.1586552539, 1.9544997361, -0.004049697];
const EXACT_GRAD = [1.0833154706, -0.0833154706];

describe('gelu forms', () => {
  it('exact is x·Φ(x) (erf form), tanh is gelu_new; they differ by up to ~1.5e-4 at these points', () => {
    const exact = tf.tidy(() => Array.from(gelu(tf.tensor1d(XS), 'exact').dataSync()));
    const tanh = tf.tidy(() => Array.from(gelu(tf.tensor1d(XS), 'tanh').dataSync()));
    exact.forEach((v, i) => expect(v, `exact(${XS[i]})`).toBeCloseTo(EXACT[i], 6));
    // the tanh form: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) at 1 is 0.8411919906
    expect(tanh[0]).toBeCloseTo(0.8411919906, 6);
    expect(Math.abs(tanh[0] - exact[0])).toBeGreaterThan(1e-4); // the key changes the maths
    expect(Array.from(tf.tidy(() => gelu(tf.tensor1d(XS)).dataSync()))).toEqual(tanh); // default: tanh
  });

  it("exact's gradient is Φ(x) + x·φ(x) and matches float64 central differences", () => {
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => gelu(x, 'exact').sum())(tf.tensor1d([1, -1, 0.3, -2.5, 4])).dataSync()));
    expect(g[0]).toBeCloseTo(EXACT_GRAD[0], 5);
    expect(g[1]).toBeCloseTo(EXACT_GRAD[1], 5);
    const ref = (x: number) => 0.5 * x * (1 + erfRef(x / Math.SQRT2));
    const h = 1e-5;
    [1, -1, 0.3, -2.5, 4].forEach((x, i) => {
      const num = (ref(x + h) - ref(x - h)) / (2 * h);
      expect(Math.abs(g[i] - num), `x = ${x}: tfjs ${g[i]} vs numeric ${num}`).toBeLessThan(2e-6 + 1e-5 * Math.abs(num));
    });
  });

  it('erfRef (the float64 reference) agrees with tabulated erf on both branches', () => {
    expect(erfRef(0.5)).toBeCloseTo(0.5204998778130465, 13);
    expect(erfRef(-2)).toBeCloseTo(-0.9953222650189527, 13);
    expect(erfRef(3.5)).toBeCloseTo(0.9999992569016276, 13);
  });
});
