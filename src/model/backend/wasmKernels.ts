import * as tf from '@tensorflow/tfjs';
import type { NativeGemm } from './nativeGemm.ts';
import { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';
import { registerSharedWasmIdentity } from './wasmIdentity.ts';
import { registerWasmSumRows } from './wasmSumRows.ts';
import { registerNativeGelu } from './nativeGelu.ts';

/**
 * Kernels the tfjs wasm backend lacks but training needs, implemented in JavaScript on the wasm
 * backend's memory. UnsortedSegmentSum is the gradient of `tf.gather` (the token embedding).
 * With `fast` (default) it also swaps in kernels the wasm backend has but runs slowly (BatchMatMul, an
 * Identity that shares storage instead of copying); with `native`,
 * BatchMatMul runs on that native GEMM instead of XNNPACK.
 */
export function registerWasmTrainingKernels(opts: { fast?: boolean; native?: NativeGemm | null } = {}): void {
  if (opts.fast ?? true) {
    registerWasmBatchMatMul(opts.native ?? null);
    registerSharedWasmIdentity();
    registerWasmSumRows();
    if (opts.native) registerNativeGelu(opts.native);
  }
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const b = backend as unknown as WasmBackendLike;
      const values = b.readSync(x.dataId) as Float32Array;
      const ids = b.readSync(segmentIds.dataId) as Int32Array;
      // x [N, ...rest], ids [N] → out [numSegments, ...rest]
      const inner = x.shape.slice(1).reduce((a, d) => a * d, 1);
      const rows = ids.length;
      const out = new Float32Array(numSegments * inner);
      for (let r = 0; r < rows; r++) {
        const seg = ids[r];
        if (seg < 0 || seg >= numSegments) continue;
        const src = r * inner;
        const dst = seg * inner;
        for (let k = 0; k < inner; k++) out[dst + k] += values[src + k];
      }
      const shape = [numSegments, ...x.shape.slice(1)];
      return { dataId: b.write(out, shape, 'float32'), shape, dtype: 'float32' };
    },
  });
}

interface WasmBackendLike {
  readSync(dataId: object): tf.TypedArray;
  write(values: tf.TypedArray, shape: number[], dtype: string): object;
}
