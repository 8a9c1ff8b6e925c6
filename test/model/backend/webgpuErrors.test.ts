import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { takeWebgpuError, watchWebgpuErrors } from '../../../src/model/backend/webgpuErrors.ts';
import { crossEntropyFused } from '../../../src/model/kernels/webgpu/crossEntropy.ts';
import { webgpuAvailable } from '../kernels/webgpuHarness.ts';

const gpu = await webgpuAvailable();

describe.skipIf(!gpu)('WebGPU errors are not silent', () => {
  it('a tfjs op over the adapter binding limit is recorded for the training loop to stop on', async () => {
    await tf.setBackend('webgpu');
    try {
      watchWebgpuErrors();
      const limit = (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBufferBindingSize;
      const n = Math.ceil(limit / 4) + 1024;
      expect(takeWebgpuError()).toBeNull();
      const y = tf.tidy(() => tf.fill([n], 1).add(1).sum());
      await y.data();
      y.dispose();
      await new Promise((r) => setTimeout(r, 50)); // the error event arrives asynchronously
      expect(takeWebgpuError()).toMatch(/binding size|larger than the maximum/i);
      expect(takeWebgpuError()).toBeNull(); // taken once
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('a fused kernel refuses a tensor over the binding limit with a clear error', async () => {
    await tf.setBackend('webgpu');
    try {
      const limit = (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBufferBindingSize;
      const V = 4096;
      const N = Math.ceil(limit / 4 / V) + 1;
      const z = tf.zeros([N, V]) as tf.Tensor2D;
      expect(() => crossEntropyFused(z, tf.zeros([N], 'int32') as tf.Tensor1D, tf.ones([N]) as tf.Tensor1D)).toThrow(/over this GPU's storage binding limit/);
      z.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
