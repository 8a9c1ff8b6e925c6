import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sumOfSquaresWebgpu } from '../../../src/model/kernels/webgpu/sumSquares.ts';
import { onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

describe.skipIf(!gpu)('multi-tensor sum of squares kernel (WebGPU)', () => {
  it('equals Σ x² over 13 tensors of odd sizes (three dispatches), large and tiny ones included', async () => {
    const sizes = [1, 3, 257, 1000, 70_001, 5, 64 * 256 + 1, 2, 999, 31, 4096, 1, 12_345];
    const arrays = sizes.map((n, i) => seeded(n, 20 + i, 1 + i / 4));
    let want = 0;
    for (const a of arrays) for (const v of a) want += v * v; // float64
    const [got] = await onWebgpu(() => sumOfSquaresWebgpu(arrays.map((a, i) => (i % 2 ? tf.tensor1d(a) : tf.tensor2d(a, [1, a.length])))));
    expect(Math.abs(got[0] - want) / want).toBeLessThan(1e-5);
  });
});
