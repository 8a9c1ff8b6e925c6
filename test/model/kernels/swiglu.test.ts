import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { swigluFused } from '../../../src/model/kernels/webgpu/swiglu.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

/** silu(gate)·up as gpt.ts's mlp computes it from the fused gate|up projection. */
function composite(gu: tf.Tensor2D): tf.Tensor2D {
  const [gate, up] = tf.split(gu, 2, -1);
  return gate.mul(gate.sigmoid()).mul(up) as tf.Tensor2D;
}

function run(f: (gu: tf.Tensor2D) => tf.Tensor2D, N: number, F: number): tf.Tensor[] {
  const gu = tf.tensor2d(seeded(N * 2 * F, 5, 4), [N, 2 * F]);
  const up = tf.tensor2d(seeded(N * F, 6), [N, F]);
  return [f(gu), tf.grad((a: tf.Tensor) => f(a as tf.Tensor2D).mul(up).sum())(gu)];
}

describe.skipIf(!gpu)('fused SwiGLU kernel (WebGPU)', () => {
  for (const [N, F] of [[5, 7], [64, 48], [3, 257]]) {
    it(`matches silu(gate)·up on cpu for gate|up [${N}, ${2 * F}]: values and gradient`, async () => {
      const want = tf.tidy(() => run(composite, N, F)).map((t) => {
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return v;
      });
      const got = await onWebgpu(() => run(swigluFused, N, F));
      expect(maxRelErr(got[0], want[0])).toBeLessThan(1e-4); // fp32: exp and sigmoid differ in the last bits between backends
      expect(maxRelErr(got[1], want[1])).toBeLessThan(1e-4); // fp32: exp and sigmoid differ in the last bits between backends
    });
  }
});
