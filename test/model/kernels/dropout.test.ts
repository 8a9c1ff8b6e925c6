import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dropoutFused } from '../../../src/model/kernels/webgpu/dropout.ts';
import { onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

describe.skipIf(!gpu)('fused dropout kernel (WebGPU)', () => {
  const n = 200_003;
  const x = seeded(n, 9, 1).map((v) => v + 2); // all in [1, 3): a zero output means dropped

  it('drops a share of `rate` (within 4σ), scales the kept by 1/(1 − rate), and the gradient uses the same mask', async () => {
    for (const rate of [0.1, 0.5]) {
      const [y, dx] = await onWebgpu(() => {
        const xt = tf.tensor1d(x);
        const up = tf.fill([n], 3);
        return [dropoutFused(xt, rate, 42), tf.grad((a: tf.Tensor) => dropoutFused(a, rate, 42).mul(up).sum())(xt)];
      });
      let dropped = 0;
      let wrong = 0; // kept values not scaled, or a gradient that disagrees with the forward mask
      for (let i = 0; i < n; i++) {
        if (y[i] === 0) {
          dropped++;
          if (dx[i] !== 0) wrong++;
        } else if (Math.abs(y[i] - x[i] / (1 - rate)) > 1e-5 || Math.abs(dx[i] - 3 / (1 - rate)) > 1e-5) wrong++;
      }
      expect(wrong).toBe(0);
      const sigma = Math.sqrt(n * rate * (1 - rate));
      expect(Math.abs(dropped - n * rate)).toBeLessThan(4 * sigma);
    }
  });

  it('is a function of the seed: same seed same mask, another seed another mask; rate 0 is the identity', async () => {
    const [a, b, c, id] = await onWebgpu(() => {
      const xt = tf.tensor1d(x);
      return [dropoutFused(xt, 0.3, 1), dropoutFused(xt, 0.3, 1), dropoutFused(xt, 0.3, 2), dropoutFused(xt, 0, 1)];
    });
    expect(a).toEqual(b);
    let differ = 0;
    for (let i = 0; i < n; i++) if ((a[i] === 0) !== (c[i] === 0)) differ++;
    expect(differ / n).toBeGreaterThan(0.3); // independent masks disagree on 2·0.3·0.7 = 42%
    expect(id).toEqual(x);
  });

  it('has no visible structure: neighbouring elements are dropped independently', async () => {
    const [y] = await onWebgpu(() => dropoutFused(tf.tensor1d(x), 0.5, 7));
    let both = 0;
    for (let i = 1; i < n; i++) if (y[i] === 0 && y[i - 1] === 0) both++;
    const p = both / (n - 1);
    expect(Math.abs(p - 0.25)).toBeLessThan(0.01);
  });
});
