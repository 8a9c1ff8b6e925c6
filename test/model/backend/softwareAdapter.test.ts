import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { isSoftwareAdapter } from '../../../src/model/backend/webgpuSetup.ts';
import { webgpuAvailable } from '../kernels/webgpuHarness.ts';

const gpu = await webgpuAvailable();
// on CI machines the adapter is lavapipe (they have no GPU); on a GPU machine this test does not apply
const nav = (globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: Parameters<typeof isSoftwareAdapter>[0] } | null> } } }).navigator;
const software = gpu && isSoftwareAdapter((await nav?.gpu?.requestAdapter())?.info);

describe('software WebGPU adapters', () => {
  it('are recognised from the adapter info (Mesa lavapipe, SwiftShader), GPUs are not', () => {
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: '', device: 'swiftshader', description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });

  it.skipIf(!software)('auto passes over lavapipe for wasm, saying why; --backend webgpu still takes it', async () => {
    const auto = await setupBackend('auto');
    expect(auto.name).toBe('wasm');
    // on a machine without a GPU device node auto does not even load Dawn; with one, it looks at the adapter
    expect(auto.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/^no GPU device .*--backend webgpu tries anyway$|CPU-emulated .*wasm is faster here/);
    const explicit = await setupBackend('webgpu');
    expect(explicit.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
  });
});
