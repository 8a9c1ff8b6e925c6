import { toFloat16Bytes } from '../hf/floatDtypes.ts';
import { transpose } from '../hf/matrixOps.ts';
import { type GraphBuilder, int } from './graphBuilder.ts';

/**
 * How an export stores its matrices: fp32 as they are; fp16 as half-precision initializers with a
 * Cast to float32 in front of their use (the arithmetic, the past and the logits stay float32);
 * int8 as symmetric int8 with one float32 scale per output column (per row for embedding tables)
 * and a DequantizeLinear in front (zero point 0). Norm scales, biases and RoPE tables stay float32.
 */
export type OnnxWeights = 'fp32' | 'fp16' | 'int8';

/** Symmetric int8 quantisation of a [rows, cols] matrix along `axis` (1: a scale per column, 0: per row). */
export function quantizeInt8(a: Float32Array, rows: number, cols: number, axis: 0 | 1): { q: Int8Array; scales: Float32Array } {
  const n = axis === 1 ? cols : rows;
  const amax = new Float32Array(n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.abs(a[r * cols + c]);
      const k = axis === 1 ? c : r;
      if (v > amax[k]) amax[k] = v;
    }
  }
  const scales = Float32Array.from(amax, (m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(a.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = scales[axis === 1 ? c : r];
      q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(a[r * cols + c] / s)));
    }
  }
  return { q, scales };
}

/**
 * Adds matrix `name` [rows, cols] to the graph in the storage `kind` and returns the name of its
 * float32 value. `axis` is the quantisation axis for int8: 1 (per output column) for x·W matrices,
 * 0 (per row) for embedding tables that are gathered by row.
 */
export function storeMatrix(g: GraphBuilder, kind: OnnxWeights, name: string, data: Float32Array, rows: number, cols: number, axis: 0 | 1 = 1): string {
  if (kind === 'fp32') return g.f32(name, [rows, cols], data);
  if (kind === 'fp16') {
    const half = g.initializer(`${name}_fp16`, 'float16', [rows, cols], toFloat16Bytes(data));
    return g.op('Cast', [half], { to: int(1) }, name);
  }
  const { q, scales } = quantizeInt8(data, rows, cols, axis);
  const qi = g.initializer(`${name}_quantized`, 'int8', [rows, cols], new Uint8Array(q.buffer));
  const si = g.f32(`${name}_scale`, [scales.length], scales);
  const zi = g.initializer(`${name}_zero_point`, 'int8', [scales.length], new Uint8Array(scales.length));
  return g.op('DequantizeLinear', [qi, si, zi], { axis: int(axis) }, name);
}

/** A matrix for MatMulInteger: y = x·W with W [K, N] as int8 [K, N] (zero point 0) and one scale per column. */
export interface IntegerMatrix {
  readonly q: string;
  readonly scales: string;
  readonly K: number;
  readonly N: number;
}

/**
 * Adds W for MatMulInteger: `data` [K, N] ('kn'), or [N, K] ('nk': an embedding table, stored
 * transposed so that the tied head multiplies by it and rows are gathered along axis 1).
 */
export function storeInteger(g: GraphBuilder, name: string, data: Float32Array, K: number, N: number, layout: 'kn' | 'nk'): IntegerMatrix {
  const { q, scales } = quantizeInt8(layout === 'nk' ? transpose(data, N, K) : data, K, N, 1);
  return { q: g.initializer(`${name}_int8`, 'int8', [K, N], new Uint8Array(q.buffer)), scales: g.f32(`${name}_scales`, [N], scales), K, N };
}
