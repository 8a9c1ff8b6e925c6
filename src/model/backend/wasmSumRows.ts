import type * as tf from '@tensorflow/tfjs';
import { heapF32, wrapWasmKernel, type WasmHeapBackend } from './wasmHeap.ts';

/**
 * `Sum` over the leading axes (x [R, ...rest] → [...rest]: bias and norm-scale gradients) on the
 * tfjs wasm backend as one pass of row additions in place in wasm memory. The stock kernel first
 * transposes x so that the summed axes come last — a full strided copy — then sums rows of the copy:
 * on a char-10m step a [2048, 384] sum took 8 ms this way (docs/benchmarks.md#figures-behind-source-comments).
 * Other reductions, and non-float32 inputs, go to the stock kernel.
 */
export function registerWasmSumRows(): void {
  wrapWasmKernel<{ inputs: { x: tf.TensorInfo }; backend: unknown; attrs: { axis: number | number[]; keepDims: boolean } }>('Sum', (args, stock) => {
    const { x } = args.inputs;
    const lead = leadingAxes(x.shape, args.attrs.axis);
    if (x.dtype !== 'float32' || lead === 0) return stock(args);
    const b = args.backend as WasmHeapBackend;
    const rest = x.shape.slice(lead);
    const rows = x.shape.slice(0, lead).reduce((a, d) => a * d, 1);
    const width = rest.reduce((a, d) => a * d, 1);
    const outShape = args.attrs.keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...rest] : rest;
    const out = b.makeOutput(outShape, 'float32');
    sumRows(heapF32(b, x, rows * width), rows, width, heapF32(b, out, width)); // views after makeOutput
    return out;
  });
}

/**
 * dst[j] = Σᵢ src[i·width + j], accumulated in float64 blocks of 64 columns (the stock kernel sums
 * in float32; float64 only makes the result closer to the exact sum).
 */
export function sumRows(src: Float32Array, rows: number, width: number, dst: Float32Array): void {
  const BLOCK = 64;
  const acc = new Float64Array(BLOCK);
  for (let j0 = 0; j0 < width; j0 += BLOCK) {
    const n = Math.min(BLOCK, width - j0);
    acc.fill(0);
    for (let i = 0; i < rows; i++) {
      const base = i * width + j0;
      for (let j = 0; j < n; j++) acc[j] += src[base + j];
    }
    for (let j = 0; j < n; j++) dst[j0 + j] = acc[j];
  }
}

/** k when `axis` names exactly the first k axes of a rank > k shape (negative axes allowed), else 0. */
function leadingAxes(shape: readonly number[], axis: number | number[]): number {
  const rank = shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.length >= rank) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}
