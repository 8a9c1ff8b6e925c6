import * as tf from '@tensorflow/tfjs';

/** What Versiflow's wasm kernels use of tfjs-backend-wasm's backend: its memory, each tensor's place in it, new outputs. */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

/**
 * The first n float32 values of t, as a view of wasm memory (no copy). Take a kernel's views after
 * its last makeOutput: a malloc may grow wasm memory and detach older views.
 */
export function heapF32(b: WasmHeapBackend, t: tf.TensorInfo, n: number): Float32Array {
  return new Float32Array(b.wasm.HEAPU8.buffer, b.dataIdMap.get(t.dataId).memoryOffset, n);
}

type KernelFunc<A> = (args: A) => tf.TensorInfo;

/**
 * Registers `kernelFunc` as the wasm backend's `name` kernel, handing it the stock kernel to fall
 * back on. The stock kernel's setupFunc (which binds its wasm entry points) still runs, then `setup`.
 * Registering again wraps the stock kernel afresh, never a wrap.
 */
export function wrapWasmKernel<A>(name: string, kernelFunc: (args: A, stock: KernelFunc<A>) => tf.TensorInfo, setup?: (backend: object) => void): void {
  const current = tf.getKernel(name, 'wasm') as (tf.KernelConfig & { stock?: tf.KernelConfig }) | undefined;
  if (!current) return;
  const stock = current.stock ?? current;
  const stockFunc = stock.kernelFunc as unknown as KernelFunc<A>;
  const config = {
    kernelName: name,
    backendName: 'wasm',
    setupFunc: setup
      ? (backend: object) => {
          stock.setupFunc?.(backend as never);
          setup(backend);
        }
      : stock.setupFunc,
    kernelFunc: (args: A) => kernelFunc(args, stockFunc),
    stock,
  };
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(config as unknown as tf.KernelConfig);
}
