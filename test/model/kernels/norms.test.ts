import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { layerNorm, rmsNorm } from '../../../src/model/nn/gpt.ts';
import { layerNormFused, rmsNormFused } from '../../../src/model/kernels/webgpu/norms.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();
const EPS = 1e-5;

/** y, dx, dscale of Σ y·up for rmsNorm `f`, with x [shape], scale [C] and upstream weights up [shape]. */
function run(f: (x: tf.Tensor, s: tf.Tensor, eps: number) => tf.Tensor, shape: number[], seed: number): tf.Tensor[] {
  const size = shape.reduce((a, b) => a * b);
  const c = shape[shape.length - 1];
  const x = tf.tensor(seeded(size, seed, 2), shape);
  const scale = tf.tensor(seeded(c, seed + 1, 1.5), [c]);
  const up = tf.tensor(seeded(size, seed + 2), shape);
  const y = f(x, scale, EPS);
  const [dx, dscale] = tf.grads((a: tf.Tensor, s: tf.Tensor) => f(a, s, EPS).mul(up).sum())([x, scale]);
  return [y, dx, dscale];
}

describe.skipIf(!gpu)('fused RMSNorm kernel (WebGPU)', () => {
  const cases: [string, number[]][] = [
    ['C = 96 (vec4), 37 rows', [37, 96]],
    ['C = 37 (scalar), 3-D [3, 7, 37]', [3, 7, 37]],
    ['C = 1100 (scalar, 5 lanes per thread), 3-D [2, 5, 1100]', [2, 5, 1100]],
    ['C = 2048 (vec4, 2 lanes per thread), 9 rows', [9, 2048]],
    ['one row', [1, 40]],
    ['4,203 rows (5 rows per backward chunk), C = 12', [4203, 12]],
  ];
  for (const [name, shape] of cases) {
    it(`matches the composite rmsNorm on cpu: values and both gradients, ${name}`, async () => {
      const want = tf.tidy(() => run(rmsNorm, shape, 7)).map((t) => {
        const d = t.dataSync() as Float32Array;
        t.dispose();
        return d;
      });
      const got = await onWebgpu(() => {
        const [y, dx, dscale] = run(rmsNormFused, shape, 7);
        expect(y.shape).toEqual(shape);
        expect(dx.shape).toEqual(shape);
        return [y, dx, dscale];
      });
      const errs = got.map((g, i) => maxRelErr(g, want[i]));
      console.log(`rmsNorm ${JSON.stringify(shape)} max rel err y / dx / dscale: ${errs.map((e) => e.toExponential(2)).join(' / ')}`);
      errs.forEach((e) => expect(e).toBeLessThan(1e-4));
    });
  }

  it('leaves no tensors behind (forward and backward inside tidy)', async () => {
    await onWebgpu(() => {
      // warm-up: tfjs caches small constants
      tf.tidy(() => {
        run(rmsNormFused, [2, 3, 8], 1);
      });
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        run(rmsNormFused, [2, 3, 8], 1);
      });
      expect(tf.memory().numTensors).toBe(before);
      return [];
    });
  });
});

describe.skipIf(!gpu)('fused LayerNorm kernel (WebGPU, the same kernels with the mean taken out)', () => {
  const cases: [string, number[]][] = [
    ['C = 96 (vec4), 37 rows', [37, 96]],
    ['C = 37 (scalar), 3-D [3, 7, 37]', [3, 7, 37]],
    ['C = 1100, 3-D [2, 5, 1100]', [2, 5, 1100]],
    ['1,203 rows, C = 12 (several rows per backward chunk)', [1203, 12]],
  ];
  for (const [name, shape] of cases) {
    it(`matches the composite layerNorm on cpu: values and both gradients, ${name}`, async () => {
      const want = tf.tidy(() => run(layerNorm, shape, 9)).map((t) => {
        const d = t.dataSync() as Float32Array;
        t.dispose();
        return d;
      });
      const got = await onWebgpu(() => run(layerNormFused, shape, 9));
      const errs = got.map((g, i) => maxRelErr(g, want[i]));
      console.log(`layerNorm ${JSON.stringify(shape)} max rel err y / dx / dscale: ${errs.map((e) => e.toExponential(2)).join(' / ')}`);
      errs.forEach((e) => expect(e).toBeLessThan(1e-4));
    });
  }
});
