import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCpuBatchMatMul } from '../../../src/model/backend/cpuBatchMatMul.ts';
import { loadNativeGemm } from '../../../src/model/backend/nativeGemm.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';

/** The cpu backend's BatchMatMul on the native GEMM against tfjs's own JavaScript kernel. */
const native = loadNativeGemm(2);
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

function both(f: () => tf.Tensor | tf.Tensor[]): { stock: Float32Array; fast: Float32Array } {
  const run = () => {
    const out = tf.tidy(() => {
      const r = f();
      return tf.concat((Array.isArray(r) ? r : [r]).map((t) => t.flatten()));
    });
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  };
  registerCpuBatchMatMul(null);
  const stock = run();
  registerCpuBatchMatMul('unavailable' in native ? null : native);
  return { stock, fast: run() };
}

const maxRelErr = (a: Float32Array, b: Float32Array) => {
  let scale = 0;
  let err = 0;
  a.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    err = Math.max(err, Math.abs(v - b[i]));
  });
  return err / scale;
};

describe('cpu backend BatchMatMul on the native GEMM', () => {
  beforeAll(async () => {
    if ('unavailable' in native) throw new Error(native.unavailable); // a dependency of the install: not a skip
    const r = await setupBackend('cpu', { cpuMatmul: 'onnxruntime' });
    expect(r.device).toMatch(/pure JavaScript; matmul: onnxruntime-node/);
  });
  afterAll(() => registerCpuBatchMatMul(null));

  const cases: [string, number[], number[], boolean, boolean][] = [
    ['plain', [40, 19], [19, 23], false, false],
    ['transposeA', [19, 40], [19, 23], true, false],
    ['transposeB', [40, 19], [23, 19], false, true],
    ['batched, both transposed', [3, 7, 34], [3, 4, 7], true, true],
    ['batched a, unbatched b', [2, 3, 35, 7], [7, 4], false, false],
    ['few rows (stock kernel)', [3, 7], [7, 4], false, false],
  ];
  for (const [name, sa, sb, ta, tb] of cases) {
    it(`matches tfjs's kernel: ${name}`, () => {
      const r = both(() => tf.matMul(rand(sa, 1), rand(sb, 2), ta, tb));
      expect(maxRelErr(r.stock, r.fast)).toBeLessThan(1e-5);
    });
  }

  it('gives the same gradients through a two-layer product', () => {
    const r = both(() => {
      const g = tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => tf.matMul(tf.matMul(x, w1).tanh(), w2, false, true).square().sum());
      return g([rand([48, 40], 3), rand([40, 36], 4), rand([33, 36], 5)]);
    });
    expect(maxRelErr(r.stock, r.fast)).toBeLessThan(1e-5);
  });

  it('the native kernel did run: a corrupted engine changes the answer', () => {
    if ('unavailable' in native) return;
    const wrong = { description: 'wrong', matmul: (...args: Parameters<typeof native.matmul>) => (native.matmul(...args), args[4].fill(7)), elementwise: native.elementwise.bind(native) };
    registerCpuBatchMatMul(wrong);
    const y = tf.tidy(() => tf.matMul(rand([40, 5], 1), rand([5, 3], 2)).dataSync());
    registerCpuBatchMatMul(native);
    expect([...y].every((v) => v === 7)).toBe(true);
  });
});
