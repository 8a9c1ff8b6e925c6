import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { sumRows } from '../../../src/model/backend/wasmSumRows.ts';

/** Σ over the first `lead` axes of x (row-major [rows, width]), in float64. */
function reference(values: Float32Array, rows: number, width: number): number[] {
  return Array.from({ length: width }, (_, j) => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += values[i * width + j];
    return s;
  });
}

const seeded = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 3);

describe('wasm Sum over leading axes (wasmSumRows.ts)', () => {
  beforeAll(async () => {
    await setupBackend('wasm');
  });

  it('sums rows in blocks that do not divide the width', () => {
    const src = seeded(5 * 131, 1);
    const dst = new Float32Array(131);
    sumRows(src, 5, 131, dst);
    reference(src, 5, 131).forEach((v, j) => expect(dst[j]).toBeCloseTo(v, 5));
  });

  it.each([
    { shape: [7, 5], axis: 0 as number | number[], rows: 7 },
    { shape: [3, 4, 5], axis: [0, 1], rows: 12 },
    { shape: [3, 4, 5], axis: [1, 0], rows: 12 },
    { shape: [3, 4, 5], axis: -3, rows: 3 },
    { shape: [2048, 384], axis: [0], rows: 2048 },
  ])('equals the float64 sum: $shape over $axis', ({ shape, axis, rows }) => {
    const n = shape.reduce((a, d) => a * d, 1);
    const values = seeded(n, shape.length);
    const width = n / rows;
    const got = tf.tidy(() => tf.tensor(values, shape).sum(axis).dataSync());
    const want = reference(values, rows, width);
    expect(got.length).toBe(width);
    want.forEach((v, j) => expect(Math.abs(got[j] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    const kept = tf.tidy(() => tf.tensor(values, shape).sum(axis, true).shape);
    expect(kept).toEqual(shape.map((d, i) => (i < shape.length - rest(shape, width) ? 1 : d)));
  });

  it('leaves other reductions to the stock kernel, with its answers', () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(Array.from(x.sum(1).dataSync())).toEqual([6, 15]); // trailing axis
    expect(Array.from(x.sum().dataSync())).toEqual([21]); // every axis
    expect(Array.from(x.sum([0, 1]).dataSync())).toEqual([21]);
    expect(Array.from(tf.tensor([1, 2, 3, 4], [2, 2], 'int32').sum(0).dataSync())).toEqual([4, 6]); // int32
    expect(Array.from(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]).sum([0, 2]).dataSync())).toEqual([14, 22]); // not leading
    x.dispose();
  });

  it('is the gradient of a broadcast bias: d/db Σ (x + b)² = 2·Σrows (x + b)', () => {
    const x = tf.tensor(seeded(6 * 4, 9), [6, 4]);
    const b = tf.tensor1d([0.5, -1, 2, 0]);
    const g = tf.grad((bb: tf.Tensor) => x.add(bb).square().sum())(b).dataSync();
    const xb = x.add(b).dataSync() as Float32Array;
    reference(xb, 6, 4).forEach((v, j) => expect(g[j]).toBeCloseTo(2 * v, 4));
    tf.dispose([x, b]);
  });
});

/** How many trailing axes make up `width`. */
function rest(shape: readonly number[], width: number): number {
  let k = 0;
  for (let w = 1; w < width; k++) w *= shape[shape.length - 1 - k];
  return k;
}
