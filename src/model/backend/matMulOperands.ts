import * as tf from '@tensorflow/tfjs';

/** A kernel's arguments as tfjs passes them. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** The operands of a product the fast kernels handle, or null for the stock kernel. */
export interface Operands {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly batchA: number;
  readonly batchB: number;
  /** a and b as [batch, rows, cols] (before their transposes): the shapes a GEMM engine is given. */
  readonly aDims: readonly [number, number, number];
  readonly bDims: readonly [number, number, number];
  /** op(a)·op(b) per batch entry: [M, K]·[K, N]. */
  readonly M: number;
  readonly N: number;
  /** The output's batch dims (broadcast of a's and b's), its batch entries, and its shape. */
  readonly batchDims: number[];
  readonly batch: number;
  readonly outShape: number[];
}

/**
 * Float32 operands of rank ≥ 2 whose batch dims are equal or one side's are all 1. Partial
 * broadcasting ([8,1] against [1,4]) is rare: the stock kernel keeps it.
 */
export function operandsOf(args: KernelArgs): Operands | null {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const batchDimsA = a.shape.slice(0, -2);
  const batchDimsB = b.shape.slice(0, -2);
  const batchA = numel(batchDimsA);
  const batchB = numel(batchDimsB);
  const sameBatch = batchDimsA.length === batchDimsB.length && batchDimsA.every((d, i) => d === batchDimsB[i]);
  if (!(batchA === 1 || batchB === 1 || sameBatch)) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [M, K] = transposeA ? [ca, ra] : [ra, ca];
  const [K2, N] = transposeB ? [cb, rb] : [rb, cb];
  if (K2 !== K) throw new Error(`matMul: inner dimensions differ: a ${a.shape} (transposeA=${!!transposeA}) and b ${b.shape} (transposeB=${!!transposeB})`);
  const batchDims = tf.broadcast_util.assertAndGetBroadcastShape(batchDimsA, batchDimsB);
  return {
    a,
    b,
    transposeA: !!transposeA,
    transposeB: !!transposeB,
    batchA,
    batchB,
    aDims: [batchA, ra, ca],
    bDims: [batchB, rb, cb],
    M,
    N,
    batchDims,
    batch: Math.max(batchA, batchB),
    outShape: [...batchDims, M, N],
  };
}

/**
 * Below this many output rows per product the native GEMM loses to XNNPACK, whose operator caches
 * the packed weights across calls: one token's decode step (1–8 rows) ran 1.3–1.7× faster on
 * XNNPACK, while 64 rows and up ran 1.8–3.3× faster on onnxruntime (a 2-core AVX-512 machine,
 * docs/benchmarks.md#figures-behind-source-comments).
 */
export const NATIVE_MIN_ROWS = 32;

/** Rows of one product the engines see: a batched `a` against an unbatched `b` is one tall product. */
export const outputRows = (o: Operands): number => (o.batchB === 1 && !o.transposeA ? o.batchA * o.M : o.M);

const numel = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
