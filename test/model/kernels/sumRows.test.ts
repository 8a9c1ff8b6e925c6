import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useKernels } from '../../../src/model/kernels/select.ts';
import { planSumRows, sumRowsCalls } from '../../../src/model/kernels/webgpu/sumRows.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable(); // setupBackend('webgpu') registers the Sum wrapper

describe('planSumRows: which sums run without a transpose', () => {
  it('takes exactly the leading axes of a float32 tensor, in any order or sign', () => {
    expect(planSumRows([16384, 3456], [0], 'float32')).toEqual({ R: 16384, C: 3456, S: 64 });
    expect(planSumRows([32, 512, 640], [1, 0], 'float32')).toEqual({ R: 16384, C: 640, S: 64 });
    expect(planSumRows([4, 5, 6], [-3], 'float32')).toEqual({ R: 4, C: 30, S: 1 });
    expect(planSumRows([600, 7], [0], 'float32')).toEqual({ R: 600, C: 7, S: 2 });
  });

  it('leaves the rest to the stock kernel: inner axes, all axes, gaps, int32, a single row', () => {
    expect(planSumRows([8, 9], [1], 'float32')).toBeNull();
    expect(planSumRows([8, 9], [0, 1], 'float32')).toBeNull();
    expect(planSumRows([8, 9, 10], [0, 2], 'float32')).toBeNull();
    expect(planSumRows([8, 9], [0], 'int32')).toBeNull();
    expect(planSumRows([1, 9], [0], 'float32')).toBeNull();
    expect(planSumRows([9], [0], 'float32')).toBeNull();
    expect(planSumRows([8, 9], [], 'float32')).toBeNull();
  });
});

describe.skipIf(!gpu)('Sum over leading axes on WebGPU (sum_rows kernel)', () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims?: boolean; label: string }[] = [
    { shape: [70, 33], axis: 0, label: 'one chunk, columns not a multiple of 64' },
    { shape: [1300, 130], axis: 0, label: '5 chunks of 260 rows (partials pass), ragged last chunk' },
    { shape: [3, 257, 5], axis: [0, 1], label: 'two leading axes of a rank-3 tensor' },
    { shape: [6, 4, 65], axis: [1, 0], keepDims: true, label: 'keepDims, axes out of order' },
    { shape: [2, 2], axis: -2, label: 'a 2×2 matrix, negative axis' },
    { shape: [2, 65_600 * 64], axis: 0, label: '65,600 column blocks: more workgroups than one grid dimension holds' },
  ];
  for (const c of cases) {
    it(`equals the cpu backend's sum: [${c.shape}] over ${JSON.stringify(c.axis)} (${c.label})`, async () => {
      const n = c.shape.reduce((a, b) => a * b);
      const sum = () => tf.tensor(seeded(n, 7, 3), c.shape).sum(c.axis, c.keepDims);
      const wantT = sum();
      const want = wantT.dataSync() as Float32Array;
      const wantShape = wantT.shape;
      wantT.dispose();
      useKernels('fused');
      const before = sumRowsCalls.ours;
      let gotShape: number[] = [];
      const [got] = await onWebgpu(() =>
        tf.tidy(() => {
          const y = sum();
          gotShape = y.shape;
          return y;
        }),
      );
      expect(sumRowsCalls.ours).toBe(before + 1); // ran the kernel, not the stock path
      expect(gotShape).toEqual(wantShape);
      expect(maxRelErr(got, want, 1e-2)).toBeLessThan(1e-4); // fp32 sums of up to 1,300 terms, in another order
    });
  }

  it('is the gradient of a broadcast bias: dBias of (x·W + b) on webgpu equals cpu', async () => {
    const grads = () => {
      const x = tf.tensor2d(seeded(300 * 24, 1), [300, 24]);
      const w = tf.tensor2d(seeded(24 * 40, 2, 0.2), [24, 40]);
      const b = tf.tensor1d(seeded(40, 3));
      return tf.grads((wi: tf.Tensor, bi: tf.Tensor) => x.matMul(wi).add(bi).square().sum())([w, b]);
    };
    const want = tf.tidy(grads).map((t) => {
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
    useKernels('fused');
    const got = await onWebgpu(() => tf.tidy(grads));
    expect(maxRelErr(got[1], want[1])).toBeLessThan(1e-4);
    expect(maxRelErr(got[0], want[0])).toBeLessThan(1e-4);
  });

  it('runs the stock kernel while sum_rows is off, and for inner-axis sums', async () => {
    const x = () => tf.tensor2d(seeded(64 * 8, 4), [64, 8]);
    useKernels('stock');
    let ours = sumRowsCalls.ours;
    await onWebgpu(() => tf.tidy(() => x().sum(0)));
    expect(sumRowsCalls.ours).toBe(ours);
    useKernels('fused');
    ours = sumRowsCalls.ours;
    await onWebgpu(() => tf.tidy(() => x().sum(1)));
    expect(sumRowsCalls.ours).toBe(ours);
  });
});
