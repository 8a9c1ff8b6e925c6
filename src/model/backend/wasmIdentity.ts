import type * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel } from './wasmHeap.ts';

/**
 * `Identity` for the tfjs wasm backend that shares the input's storage (one more reference to the
 * same wasm allocation) instead of copying it, as tfjs's own cpu backend and the wasm backend's
 * `Reshape` already do.
 *
 * Why: tfjs clones (Identity) every tensor it saves for a backward pass, and the stock wasm kernel
 * copies each one byte for byte into a fresh allocation: on a char-10m training step (8 × 256) the
 * copies took about 130 ms of CPU a step and as much memory as the saved activations themselves
 * (docs/benchmarks.md#figures-behind-source-comments).
 *
 * Safe because tfjs tensors are immutable; the in-place writers of this project (AdamW, gradient
 * accumulation: kernels/cpu/*) write only into storage no other tensor shares (`ownsStorage`,
 * the backend's reference count) or into buffers they made themselves. Strings keep the stock kernel.
 */
export function registerSharedWasmIdentity(): void {
  wrapWasmKernel<{ inputs: { x: tf.TensorInfo }; backend: unknown }>('Identity', (args, stock) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return stock(args);
    (args.backend as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
