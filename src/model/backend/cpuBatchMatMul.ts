import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, NATIVE_MIN_ROWS, operandsOf, outputRows } from './matMulOperands.ts';
import type { NativeGemm } from './nativeGemm.ts';

interface CpuBackend {
  readSync(dataId: object): tf.TypedArray;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/**
 * The pure-JS `cpu` backend's BatchMatMul on the native GEMM (nativeGemm.ts), for the models too big
 * for wasm's 4 GiB heap, which the memory plan sends to `--backend cpu`: tfjs's JavaScript loop was
 * most of their step. The cpu backend keeps tensors in JS typed arrays, read here without a copy;
 * products of fewer than NATIVE_MIN_ROWS rows and shapes the fast kernels do not handle stay on tfjs's
 * own kernel. Calling it again with another engine (or null: the stock kernel) replaces the last one.
 */
export function registerCpuBatchMatMul(native: NativeGemm | null): void {
  const current = tf.getKernel('BatchMatMul', 'cpu') as (tf.KernelConfig & { stock?: tf.KernelConfig }) | undefined;
  if (!current) return;
  const stock = current.stock ?? current;
  tf.unregisterKernel('BatchMatMul', 'cpu');
  if (!native) {
    tf.registerKernel(stock);
    return;
  }
  const stockFunc = stock.kernelFunc as (a: KernelArgs) => tf.TensorInfo;
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'cpu',
    kernelFunc: (args: KernelArgs) => {
      const o = operandsOf(args);
      if (!o || outputRows(o) < NATIVE_MIN_ROWS) return stockFunc(args);
      const backend = args.backend as unknown as CpuBackend;
      const out = new Float32Array(o.batch * o.M * o.N);
      if (out.length) native.matmul(backend.readSync(o.a.dataId) as Float32Array, o.aDims, backend.readSync(o.b.dataId) as Float32Array, o.bDims, out, o.transposeA, o.transposeB);
      return backend.makeTensorInfo(o.outShape, 'float32', out);
    },
    stock,
  } as tf.KernelConfig);
}
