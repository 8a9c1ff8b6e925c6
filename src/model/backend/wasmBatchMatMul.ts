import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, NATIVE_MIN_ROWS, type Operands, operandsOf, outputRows } from './matMulOperands.ts';
import type { NativeGemm } from './nativeGemm.ts';
import { heapF32, wrapWasmKernel, type WasmHeapBackend } from './wasmHeap.ts';

/**
 * A faster `BatchMatMul` for the tfjs wasm backend, wrapping the stock kernel.
 *
 * Why: tfjs-backend-wasm 4.22 sends a matmul to XNNPACK only when neither operand is transposed
 * and both have batch size 1; everything else runs a scalar triple loop on one thread
 * (`slow_batch_matmul`), far slower than XNNPACK. Training hits that loop constantly: every backward
 * matmul has a transpose (dx = dy·Wᵀ, dW = xᵀ·dy), the tied head is h·wteᵀ, and attention is
 * batched over [B, heads], so BatchMatMul was most of a step on the small CPU models (figures in
 * docs/benchmarks.md#figures-behind-source-comments).
 *
 * How: transposed operands are transposed explicitly first (the wasm Transpose kernel is a cheap
 * copy); a batched `a` against an unbatched `b` becomes one [batch·M, K]·[K, N] matmul; two batched
 * operands run one XNNPACK matmul per batch entry on zero-copy views (tensor ids registered at an
 * offset into the operand's wasm memory). Shapes the wrapper does not handle (partial broadcasting
 * of batch dims, non-float32) go to the stock kernel unchanged.
 *
 * With a `native` GEMM (nativeGemm.ts: onnxruntime's MLAS, config key `cpu_matmul`), every product
 * the wrapper handles runs there instead, on views of wasm memory, transposes as flags.
 */
export function registerWasmBatchMatMul(native: NativeGemm | null = null): void {
  let cmatmul: CMatMul | null = null;
  wrapWasmKernel<KernelArgs>(
    'BatchMatMul',
    (args, stock) => {
      const backend = args.backend as unknown as WasmBackend;
      const o = operandsOf(args);
      if (!o) return stock(args);
      if (native && outputRows(o) >= NATIVE_MIN_ROWS) return nativeBatchMatMul(o, backend, native);
      cmatmul ??= cwrapMatMul(backend);
      return fastBatchMatMul(o, backend, cmatmul);
    },
    (backend) => (cmatmul = cwrapMatMul(backend as unknown as WasmBackend)),
  );
}

type CMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: boolean, tb: boolean, outId: number) => void;

interface WasmBackend extends WasmHeapBackend {
  wasm: WasmHeapBackend['wasm'] & {
    cwrap(name: string, ret: null, args: string[]): CMatMul;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdNextNumber: number;
  disposeData(dataId: object): boolean;
}

function cwrapMatMul(b: WasmBackend): CMatMul {
  // Same C entry point and signature the stock kernel binds (tfjs-backend-wasm kernels/BatchMatMul.js).
  return b.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
}

function fastBatchMatMul(o: Operands, backend: WasmBackend, cmatmul: CMatMul): tf.TensorInfo {
  const { batchA, batchB } = o;
  const temps: tf.TensorInfo[] = [];
  const at = o.transposeA ? transposeLast2(o.a, backend, temps) : o.a;
  const bt = o.transposeB ? transposeLast2(o.b, backend, temps) : o.b;
  const { M, N, outShape } = o;
  const K = at.shape[at.shape.length - 1];
  let out: tf.TensorInfo;
  if (batchB === 1) {
    // [batch, M, K]·[K, N] = ([batch·M, K]·[K, N]) reshaped: one XNNPACK call.
    out = run2d(at, bt, batchA * M, K, N, outShape, backend, cmatmul);
  } else {
    out = backend.makeOutput(outShape, 'float32');
    const aOff = backend.dataIdMap.get(at.dataId).memoryOffset;
    const bOff = backend.dataIdMap.get(bt.dataId).memoryOffset;
    const oOff = backend.dataIdMap.get(out.dataId).memoryOffset;
    const batch = Math.max(batchA, batchB);
    for (let i = 0; i < batch; i++) {
      const aView = view(backend, aOff + (batchA === 1 ? 0 : i * M * K * 4), M * K);
      const bView = view(backend, bOff + i * K * N * 4, K * N);
      const oView = view(backend, oOff + i * M * N * 4, M * N);
      cmatmul(aView, shapeBytes([1, M, K]), 3, bView, shapeBytes([1, K, N]), 3, false, false, oView);
      // Disposing a view id also frees the XNNPACK operator cached on it (tfjs keys it by b's id).
      for (const id of [aView, bView, oView]) backend.wasm.tfjs.disposeData(id);
    }
  }
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/**
 * The product on the native GEMM (nativeGemm.ts), reading the operands and writing the output in
 * place in wasm memory: no copies, transposes as flags.
 */
function nativeBatchMatMul(o: Operands, backend: WasmBackend, gemm: NativeGemm): tf.TensorInfo {
  const out = backend.makeOutput(o.outShape, 'float32');
  const size = o.batch * o.M * o.N;
  if (size === 0) return out;
  const numel = ([b, r, c]: readonly number[]) => b * r * c;
  // views after makeOutput
  gemm.matmul(heapF32(backend, o.a, numel(o.aDims)), o.aDims, heapF32(backend, o.b, numel(o.bDims)), o.bDims, heapF32(backend, out, size), o.transposeA, o.transposeB);
  return out;
}

/** a [..., M', K'] (any batch) viewed as [rows, K] times b [K, N]: the XNNPACK path. */
function run2d(a: tf.TensorInfo, b: tf.TensorInfo, rows: number, K: number, N: number, outShape: number[], backend: WasmBackend, cmatmul: CMatMul): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const aId = backend.dataIdMap.get(a.dataId).id;
  const bId = backend.dataIdMap.get(b.dataId).id;
  const outId = backend.dataIdMap.get(out.dataId).id;
  cmatmul(aId, shapeBytes([1, rows, K]), 3, bId, shapeBytes([1, K, N]), 3, false, false, outId);
  return out;
}

/** Registers a tensor id for `size` floats at byte `offset` of wasm memory (no copy). */
function view(backend: WasmBackend, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

function transposeLast2(x: tf.TensorInfo, backend: WasmBackend, temps: tf.TensorInfo[]): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc as (a: KernelArgs) => tf.TensorInfo;
  const t = transpose({ inputs: { x }, backend, attrs: { perm } });
  temps.push(t);
  return t;
}

const shapeBytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);
