import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyRope, ropeTables } from '../../../src/model/rope.ts';
import { ropeFused, ropeTokensFused, splitHeadsRopeFused } from '../../../src/model/kernels/webgpu/rope.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

/** y and dx of Σ y·up for rope `f` on x [shape]. */
function run(f: typeof applyRope, shape: number[], style: 'half' | 'interleaved'): tf.Tensor[] {
  const size = shape.reduce((a, b) => a * b);
  const [T, d] = shape.slice(-2);
  const { cos, sin } = ropeTables(T, d, 10000);
  const x = tf.tensor(seeded(size, 3, 2), shape);
  const up = tf.tensor(seeded(size, 4), shape);
  const y = f(x, cos, sin, style);
  const dx = tf.grad((a: tf.Tensor) => f(a, cos, sin, style).mul(up).sum())(x);
  return [y, dx];
}

describe.skipIf(!gpu)('fused RoPE kernel (WebGPU)', () => {
  for (const style of ['half', 'interleaved'] as const) {
    for (const shape of [[2, 3, 7, 10], [1, 2, 33, 64]]) {
      it(`matches applyRope on cpu (${style}, x [${shape}]): values and gradient`, async () => {
        const want = tf.tidy(() => run(applyRope, shape, style)).map((t) => {
          const v = t.dataSync() as Float32Array;
          t.dispose();
          return v;
        });
        const got = await onWebgpu(() => run(ropeFused, shape, style));
        expect(maxRelErr(got[0], want[0])).toBeLessThan(1e-5);
        expect(maxRelErr(got[1], want[1])).toBeLessThan(1e-5);
      });
    }
  }
});

describe.skipIf(!gpu)('fused split-heads + RoPE kernel (WebGPU)', () => {
  for (const style of ['half', 'interleaved'] as const) {
    it(`equals reshape → transpose → applyRope on cpu, values and gradient (${style}, B 2, n 3, T 5, d 8)`, async () => {
      const [B, n, T, d] = [2, 3, 5, 8];
      const run = (fused: boolean) => {
        const { cos, sin } = ropeTables(T, d, 10000); // cached per backend: take them on the one in use
        const p = tf.tensor2d(seeded(B * T * n * d, 21, 2), [B * T, n * d]);
        const up = tf.tensor4d(seeded(B * n * T * d, 22), [B, n, T, d]);
        const f = (x: tf.Tensor) =>
          fused ? splitHeadsRopeFused(x as tf.Tensor2D, B, n, cos, sin, style) : applyRope(x.reshape([B, T, n, d]).transpose([0, 2, 1, 3]), cos, sin, style);
        return [f(p), tf.grad((x: tf.Tensor) => f(x).mul(up).sum())(p)];
      };
      const want = tf.tidy(() => run(false)).map((t) => {
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return v;
      });
      const got = await onWebgpu(() => run(true));
      expect(maxRelErr(got[0], want[0])).toBeLessThan(1e-5);
      expect(maxRelErr(got[1], want[1])).toBeLessThan(1e-5);
    });
  }
});

describe.skipIf(!gpu)('fused token-major RoPE kernel (WebGPU)', () => {
  for (const style of ['half', 'interleaved'] as const) {
    it(`equals reshape → applyRope on the heads → back to [B, T, n, d] on cpu, values and gradient (${style}, B 2, n 3, T 5, d 8)`, async () => {
      const [B, n, T, d] = [2, 3, 5, 8];
      const run = (fused: boolean) => {
        const { cos, sin } = ropeTables(T, d, 10000);
        const p = tf.tensor2d(seeded(B * T * n * d, 31, 2), [B * T, n * d]);
        const up = tf.tensor4d(seeded(B * T * n * d, 32), [B, T, n, d]);
        const f = (x: tf.Tensor) =>
          fused
            ? ropeTokensFused(x as tf.Tensor2D, B, n, cos, sin, style)
            : applyRope(x.reshape([B, T, n, d]).transpose([0, 2, 1, 3]), cos, sin, style).transpose([0, 2, 1, 3]);
        return [f(p), tf.grad((x: tf.Tensor) => f(x).mul(up).sum())(p)];
      };
      const want = tf.tidy(() => run(false)).map((t) => {
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return v;
      });
      const got = await onWebgpu(() => run(true));
      expect(got[0].length).toBe(B * T * n * d);
      expect(maxRelErr(got[0], want[0])).toBeLessThan(1e-5);
      expect(maxRelErr(got[1], want[1])).toBeLessThan(1e-5);
    });
  }
});
