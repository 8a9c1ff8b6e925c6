import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyRope, ropeTables } from '../../../src/model/nn/rope.ts';
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

/**
 * The projection kernels: p [B·T, n·d] rotated into split heads [B, n, T, d], or in place of its
 * token-major layout [B, T, n, d]; each against reshape (→ transpose) → applyRope on cpu.
 */
describe.skipIf(!gpu)('fused RoPE of a projection (WebGPU): split heads, token-major', () => {
  const [B, n, T, d] = [2, 3, 5, 8];
  const heads = (x: tf.Tensor) => x.reshape([B, T, n, d]).transpose([0, 2, 1, 3]);
  const layouts = [
    { name: 'split heads', seed: 21, up: [B, n, T, d], fused: splitHeadsRopeFused, stock: (x: tf.Tensor, r: (h: tf.Tensor) => tf.Tensor) => r(heads(x)) },
    { name: 'token-major', seed: 31, up: [B, T, n, d], fused: ropeTokensFused, stock: (x: tf.Tensor, r: (h: tf.Tensor) => tf.Tensor) => r(heads(x)).transpose([0, 2, 1, 3]) },
  ];
  for (const l of layouts) {
    for (const style of ['half', 'interleaved'] as const) {
      it(`${l.name} equals reshape → transpose → applyRope on cpu, values and gradient (${style}, B 2, n 3, T 5, d 8)`, async () => {
        const run = (fused: boolean) => {
          const { cos, sin } = ropeTables(T, d, 10000); // cached per backend: take them on the one in use
          const p = tf.tensor2d(seeded(B * T * n * d, l.seed, 2), [B * T, n * d]);
          const up = tf.tensor(seeded(B * n * T * d, l.seed + 1), l.up);
          const f = (x: tf.Tensor) => (fused ? l.fused(x as tf.Tensor2D, B, n, cos, sin, style) : l.stock(x, (h) => applyRope(h, cos, sin, style)));
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
  }
});
