import * as tf from '@tensorflow/tfjs';
import { hostView, touched } from './hostMemory.ts';

/**
 * The LM head and the masked mean cross-entropy in one, on the CPU backends (wasm, cpu), without a
 * [N, V] tensor, forward or backward: h [N, C] (the final norm's output), the head matrix W (tied:
 * the embedding [V, C], logits h·Wᵀ; untied: [C, V], logits h·W), targets [N] int32, mask [N] → the
 * scalar Σᵢ wᵢ (logsumexp(zᵢ) − zᵢ[tᵢ]), wᵢ = maskᵢ / max(1, Σ mask), as `head` + `maskedCrossEntropy`.
 * The rows run in chunks of `rows`, each chunk's logits [rows, V] freed before the next:
 *   forward   z_c = h_c·Wᵀ, logsumexp and the target logit per row, the weighted sum accumulated
 *   backward  z_c again, dz_c = wᵢ·dy·(softmax(z_c) − onehot(t_c)), dh_c = dz_c·W, dW += dz_cᵀ·h_c
 * Only h and W are saved (targets and weights stay in JavaScript arrays); dW is accumulated in place
 * in one [V, C] tensor on the host. One more logits product than the stock path (the backward's
 * recomputation), for memory that grows with rows·V instead of N·V. The tied table's gradient is
 * this op's gradient for its W input: the tape adds it to the embedding gather's, as it does today.
 */
export function chunkedCrossEntropy(h: tf.Tensor2D, W: tf.Tensor2D, tied: boolean, targets: tf.Tensor1D, mask: tf.Tensor1D, rows: number): tf.Scalar {
  const [N, C] = h.shape;
  const V = tied ? W.shape[0] : W.shape[1];
  const t = targets.dataSync() as Int32Array; // CPU backends: a copy out of host memory, no device sync
  const m = mask.dataSync();
  let total = 0;
  for (let i = 0; i < N; i++) total += m[i];
  const weight = Float64Array.from(m, (v) => v / Math.max(1, total));
  const chunks = chunkRanges(N, Math.max(1, Math.min(rows, N)));
  const logitsOf = (hc: tf.Tensor2D, w: tf.Tensor2D) => hc.matMul(w, false, tied) as tf.Tensor2D; // [n, V]

  const live = chunks.filter(([s, e]) => weight.subarray(s, e).some((v) => v !== 0)); // chunks of padding only add nothing

  const f = (hi: tf.Tensor2D, wi: tf.Tensor2D, save: tf.GradSaveFunc) => {
    let loss = 0;
    for (const [s, e] of live) {
      const [lse, picked] = tf.tidy(() => {
        const zc = logitsOf(rowsOf(hi, s, e), wi);
        return [tf.logSumExp(zc, 1).dataSync(), targetLogits(zc, t, s)];
      });
      for (let r = 0; r < e - s; r++) loss += weight[s + r] * (lse[r] - picked[r]);
    }
    save([hi, wi]);
    return { value: tf.scalar(loss), gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => backward(dy.dataSync()[0], saved as tf.Tensor2D[]) };
  };

  const backward = (dy: number, [hi, wi]: tf.Tensor2D[]): tf.Tensor[] => {
    const dh = new Float32Array(N * C);
    let dW: tf.Tensor | null = null;
    for (const [s, e] of live) {
      const n = e - s;
      const [dhc, dWc] = tf.tidy(() => {
        const hc = rowsOf(hi, s, e);
        const p = tf.softmax(logitsOf(hc, wi)); // [n, V]; the logits are freed with the tidy
        const scale = tf.tensor2d(Float32Array.from({ length: n }, (_, r) => weight[s + r] * dy), [n, 1]);
        const dz = subtractOneHot(p, t, s, V).mul(scale) as tf.Tensor2D; // wᵢ·dy·(softmax − onehot)
        const dWOut = tied ? dz.matMul(hc, true, false) : hc.matMul(dz, true, false); // [V, C] or [C, V]
        return [dz.matMul(wi, false, !tied).dataSync() as Float32Array, dWOut]; // dh_c [n, C]
      });
      dh.set(dhc, s * C);
      dW = dW ? accumulate(dW, dWc) : dWc;
    }
    return [tf.tensor2d(dh, [N, C]), dW ?? tf.zerosLike(wi)];
  };

  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(h, W) as tf.Scalar;
}

/** p[r, t[s + r]] −= 1 for each row r of p [n, V]: in place through the host view, or with a one-hot where there is none. */
function subtractOneHot(p: tf.Tensor2D, t: Int32Array, s: number, V: number): tf.Tensor2D {
  const n = p.shape[0];
  const view = hostView(p);
  if (!view) return p.sub(tf.oneHot(tf.tensor1d(t.subarray(s, s + n), 'int32'), V).cast('float32')); // oneHot straight to float32 is wrong on wasm
  for (let r = 0; r < n; r++) view[r * V + t[s + r]] -= 1;
  touched(p);
  return p;
}

/** acc + x, written into acc on the host (one [V, C] buffer instead of the old sum, the chunk's and the new one); x is freed. */
function accumulate(acc: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const a = hostView(acc);
  const b = hostView(x);
  if (!a || !b) {
    const sum = acc.add(x);
    tf.dispose([acc, x]);
    return sum;
  }
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  touched(acc);
  x.dispose();
  return acc;
}

/** z[r, t[s + r]] for each row r of z [n, V], read through the host view (a flat-index gather where there is none: wasm's gather crashes with batchDims). */
function targetLogits(z: tf.Tensor2D, t: Int32Array, s: number): Float32Array {
  const [n, V] = z.shape;
  const view = hostView(z);
  if (!view) return tf.gather(z.reshape([n * V]), tf.tensor1d(Int32Array.from({ length: n }, (_, r) => r * V + t[s + r]), 'int32')).dataSync() as Float32Array;
  return Float32Array.from({ length: n }, (_, r) => view[r * V + t[s + r]]);
}

/** Rows s..e−1 of h [N, C], copied out of host memory (tfjs's wasm Slice would copy all of h first); h itself when the chunk is all of it. */
function rowsOf(h: tf.Tensor2D, s: number, e: number): tf.Tensor2D {
  const [N, C] = h.shape;
  if (s === 0 && e === N) return h;
  const view = hostView(h);
  if (!view) return h.slice([s, 0], [e - s, C]);
  return tf.tensor2d(view.slice(s * C, e * C), [e - s, C]); // slice() copies before tensor2d allocates (a wasm allocation may move the heap)
}

/** [s, e) row ranges of `rows` each (the last one shorter when rows does not divide N). */
export function chunkRanges(N: number, rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < N; s += rows) out.push([s, Math.min(N, s + rows)]);
  return out;
}

/**
 * Bytes of one chunk's logits [rows, V] (float32): the chunk's rows are HEAD_CHUNK_BYTES / (4·V),
 * 174 rows at V = 24,000, 85 at 49,152 (the memory plan counts CHUNK_FACTOR of them at once). Chunks
 * of 32 rows or more keep the products on the native GEMM where there is one (wasmBatchMatMul.ts).
 */
export const HEAD_CHUNK_BYTES = 16 * 2 ** 20;
/** Logits elements (rows·V) from which the CPU backends run the head chunked; below, `head` + `maskedCrossEntropy` as before. */
export const CHUNKED_MIN_ELEMENTS = 8 * 2 ** 20;

/** Rows per chunk for a vocabulary of V: HEAD_CHUNK_BYTES of logits, at least one row. */
export function headChunkRowsFor(V: number): number {
  return Math.max(1, Math.floor(HEAD_CHUNK_BYTES / (4 * V)));
}

/** True when N rows of a V vocabulary run chunked under the default setting (on a CPU backend): N·V ≥ CHUNKED_MIN_ELEMENTS. The memory plan counts the same. */
export function chunkedHeadFor(N: number, V: number): boolean {
  return N * V >= CHUNKED_MIN_ELEMENTS;
}

let setting: 'auto' | 'off' | number = 'auto';

/**
 * Rows per chunk for the head + loss of N rows over V on the active backend, or 0 for the stock
 * path (`head` + `maskedCrossEntropy`): always 0 off the CPU backends (webgpu has its fused
 * cross-entropy), and below CHUNKED_MIN_ELEMENTS. Decided per call, as kernels/select.ts's switches.
 */
export function headChunkRows(N: number, V: number): number {
  const b = tf.getBackend();
  if (setting === 'off' || (b !== 'wasm' && b !== 'cpu')) return 0;
  if (setting === 'auto') return chunkedHeadFor(N, V) ? headChunkRowsFor(V) : 0;
  return setting;
}

/**
 * 'auto' (the default: chunked from CHUNKED_MIN_ELEMENTS on), 'off' (the stock path, to compare),
 * or a row count: always chunked, in chunks of that many rows (tests). Returns the previous setting.
 */
export function useChunkedHead(next: 'auto' | 'off' | number): 'auto' | 'off' | number {
  const was = setting;
  setting = next;
  return was;
}
