import * as tf from '@tensorflow/tfjs';
import { hostView, touched } from './hostMemory.ts';

/**
 * The LM head and the masked mean cross-entropy in one, on the CPU backends (wasm, cpu), without a
 * [N, V] tensor, forward or backward: h [N, C] (the final norm's output), the head matrix W (tied:
 * the embedding [V, C], logits h·Wᵀ; untied: [C, V], logits h·W), targets [N] int32, mask [N] → the
 * scalar Σᵢ wᵢ (logsumexp(zᵢ) − zᵢ[tᵢ]), wᵢ = maskᵢ / max(1, Σ mask), as `head` + `maskedCrossEntropy`.
 * Only the L rows with wᵢ ≠ 0 run (padding adds nothing), copied out once:
 *   forward   rows in chunks of `rows`: z_c = h_c·Wᵀ [rows, V], logsumexp and the target logit per
 *             row, the weighted sum accumulated; the logsumexps kept (L floats)
 *   backward  the vocabulary in blocks of `cols`: z_b = h·W_bᵀ [L, cols], p = exp(z_b − lse),
 *             dz_b = wᵢ·dy·(p − onehot), dh += dz_b·W_b, dW_b = dz_bᵀ·h written into its rows of dW
 * Each chunk's and block's tensors are freed before the next (their own tidies). The backward runs
 * over the vocabulary rather than the rows so that each block writes its own part of dW once: row
 * chunks would add a [V, C] product into dW per chunk, a pass over the whole table each (3.6× the
 * stock path's time at smollm2-135m's shape). One more logits product than the stock path (the
 * backward's recomputation). Only h and W are saved (targets, weights and the logsumexps stay in
 * JavaScript arrays). The tied table's gradient is this op's gradient for its W input: the tape adds
 * it to the embedding gather's, as it does for the stock head.
 */
export function chunkedCrossEntropy(h: tf.Tensor2D, W: tf.Tensor2D, tied: boolean, targets: tf.Tensor1D, mask: tf.Tensor1D, rows: number, cols?: number): tf.Scalar {
  const [N, C] = h.shape;
  const V = tied ? W.shape[0] : W.shape[1];
  const t = targets.dataSync() as Int32Array; // CPU backends: a copy out of host memory, no device sync
  const m = mask.dataSync();
  let total = 0;
  for (let i = 0; i < N; i++) total += m[i];
  const live = Int32Array.from(Array.from({ length: N }, (_, i) => i).filter((i) => m[i] !== 0)); // the rows that count
  const L = live.length;
  const weight = Float64Array.from(live, (i) => m[i] / Math.max(1, total)); // per live row
  const target = Int32Array.from(live, (i) => t[i]);
  const lse = new Float32Array(L);

  const f = (hi: tf.Tensor2D, wi: tf.Tensor2D, save: tf.GradSaveFunc) => {
    let loss = 0;
    if (L > 0) {
      const hl = liveRows(hi, live);
      for (const [s, e] of chunkRanges(L, Math.max(1, Math.min(rows, L)))) {
        const [l, picked] = tf.tidy(() => {
          const z = (hl.shape[0] === e - s ? hl : takeRows(hl, s, e)).matMul(wi, false, tied) as tf.Tensor2D; // [e − s, V]
          return [tf.logSumExp(z, 1).dataSync() as Float32Array, targetLogits(z, target, s)];
        });
        lse.set(l, s);
        for (let r = 0; r < e - s; r++) loss += weight[s + r] * (l[r] - picked[r]);
      }
      if (hl !== hi) hl.dispose();
    }
    save([hi, wi]);
    return { value: tf.scalar(loss), gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => backward(dy.dataSync()[0], saved as tf.Tensor2D[]) };
  };

  const backward = (dy: number, [hi, wi]: tf.Tensor2D[]): tf.Tensor[] => {
    const dh = new Float32Array(N * C);
    const dW = tf.fill(wi.shape, 0) as tf.Tensor2D; // tf.zeros would fill in JavaScript and upload
    if (L === 0) return [tf.tensor2d(dh, [N, C]), dW];
    const dhl = new Float32Array(L * C);
    const hl = liveRows(hi, live);
    const scale = tf.tensor2d(Float32Array.from(weight, (v) => v * dy), [L, 1]);
    const shift = tf.tensor2d(lse, [L, 1]);
    for (const [v0, v1] of chunkRanges(V, Math.max(1, Math.min(cols ?? blockColsFor(L), V)))) {
      // the tidy returns tensors, read after it: tf.tidy walks a returned typed array element by element (≈15× the head's time)
      const [dhT, dWT] = tf.tidy(() => {
        const wb = vocabBlock(wi, tied, v0, v1); // [v1 − v0, C] tied, [C, v1 − v0] untied
        const z = hl.matMul(wb, false, tied); // [L, v1 − v0]
        const zs = z.sub(shift);
        z.dispose();
        const p = zs.exp() as tf.Tensor2D; // softmax over the whole vocabulary, this block's columns
        zs.dispose();
        const dz = subtractOneHot(p, target, v0, v1).mul(scale) as tf.Tensor2D; // wᵢ·dy·(softmax − onehot)
        p.dispose();
        const dWb = tied ? dz.matMul(hl, true, false) : hl.matMul(dz, true, false); // [v1 − v0, C] or [C, v1 − v0]
        return [dz.matMul(wb, false, !tied), dWb];
      });
      const dhPart = dhT.dataSync() as Float32Array;
      const dWPart = dWT.dataSync() as Float32Array;
      tf.dispose([dhT, dWT]);
      for (let i = 0; i < dhl.length; i++) dhl[i] += dhPart[i];
      putVocabBlock(dW, dWPart, tied, v0, v1);
    }
    touched(dW);
    tf.dispose([scale, shift]);
    if (hl !== hi) hl.dispose();
    for (let j = 0; j < L; j++) dh.set(dhl.subarray(j * C, (j + 1) * C), live[j] * C);
    return [tf.tensor2d(dh, [N, C]), dW];
  };

  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(h, W) as tf.Scalar;
}

/** p[r, t[r] − v0] −= 1 for the rows r whose target falls in the block [v0, v1) of p [L, v1 − v0]: in place through the host view, or with a one-hot where there is none. */
function subtractOneHot(p: tf.Tensor2D, t: Int32Array, v0: number, v1: number): tf.Tensor2D {
  const [L, n] = p.shape;
  const view = hostView(p);
  if (!view) {
    const local = Int32Array.from(t, (x) => (x >= v0 && x < v1 ? x - v0 : -1)); // −1: an all-zero row
    return p.sub(tf.oneHot(tf.tensor1d(local, 'int32'), n).cast('float32')); // oneHot straight to float32 is wrong on wasm
  }
  for (let r = 0; r < L; r++) if (t[r] >= v0 && t[r] < v1) view[r * n + t[r] - v0] -= 1;
  touched(p);
  return p;
}

/** z[r, t[s + r]] for each row r of z [n, V], read through the host view (a flat-index gather where there is none: wasm's gather crashes with batchDims). */
function targetLogits(z: tf.Tensor2D, t: Int32Array, s: number): Float32Array {
  const [n, V] = z.shape;
  const view = hostView(z);
  if (!view) return tf.gather(z.reshape([n * V]), tf.tensor1d(Int32Array.from({ length: n }, (_, r) => r * V + t[s + r]), 'int32')).dataSync() as Float32Array;
  return Float32Array.from({ length: n }, (_, r) => view[r * V + t[s + r]]);
}

/** The rows `live` of h [N, C] (h itself when all rows are live), copied out of host memory. */
function liveRows(h: tf.Tensor2D, live: Int32Array): tf.Tensor2D {
  const [N, C] = h.shape;
  if (live.length === N) return h;
  const view = hostView(h);
  if (!view) return tf.gather(h, tf.tensor1d(live, 'int32'));
  const out = new Float32Array(live.length * C);
  live.forEach((r, j) => out.set(view.subarray(r * C, (r + 1) * C), j * C)); // copied before tensor2d allocates (a wasm allocation may move the heap)
  return tf.tensor2d(out, [live.length, C]);
}

/** Rows s..e−1 of h [L, C], copied out of host memory (tfjs's wasm Slice would copy all of h first). */
function takeRows(h: tf.Tensor2D, s: number, e: number): tf.Tensor2D {
  const C = h.shape[1];
  const view = hostView(h);
  if (!view) return h.slice([s, 0], [e - s, C]);
  return tf.tensor2d(view.slice(s * C, e * C), [e - s, C]);
}

/** Vocabulary entries v0..v1−1 of the head: rows of the tied [V, C] table, columns of an untied [C, V] matrix. */
function vocabBlock(W: tf.Tensor2D, tied: boolean, v0: number, v1: number): tf.Tensor2D {
  const [R, K] = W.shape;
  if (tied ? v0 === 0 && v1 === R : v0 === 0 && v1 === K) return W;
  if (tied) return takeRows(W, v0, v1);
  const view = hostView(W);
  if (!view) return W.slice([0, v0], [R, v1 - v0]);
  const n = v1 - v0;
  const out = new Float32Array(R * n);
  for (let r = 0; r < R; r++) out.set(view.subarray(r * K + v0, r * K + v1), r * n);
  return tf.tensor2d(out, [R, n]);
}

/** Writes a block's gradient (tied [v1 − v0, C], untied [C, v1 − v0]) into its place in dW through the host view. */
function putVocabBlock(dW: tf.Tensor2D, part: Float32Array, tied: boolean, v0: number, v1: number): void {
  const [R, K] = dW.shape;
  const view = hostView(dW);
  if (!view) throw new Error('chunkedCrossEntropy runs on the CPU backends (wasm, cpu) only: dW has no host view');
  if (tied) view.set(part, v0 * K);
  else for (let r = 0; r < R; r++) view.set(part.subarray(r * (v1 - v0), (r + 1) * (v1 - v0)), r * K + v0);
}

/** [s, e) row ranges of `rows` each (the last one shorter when rows does not divide N). */
export function chunkRanges(N: number, rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < N; s += rows) out.push([s, Math.min(N, s + rows)]);
  return out;
}

/**
 * Bytes of one chunk's logits [rows, V] (float32): the chunk's rows are HEAD_CHUNK_BYTES / (4·V),
 * 174 rows at V = 24,000, 85 at 49,152; the backward's blocks of the vocabulary are HEAD_CHUNK_BYTES / (4·L)
 * entries for L rows (the memory plan counts CHUNK_FACTOR such tensors at once). Chunks of 32 rows or
 * more keep the products on the native GEMM where there is one (wasmBatchMatMul.ts).
 */
export const HEAD_CHUNK_BYTES = 16 * 2 ** 20;
/** Logits elements (rows·V) from which the CPU backends run the head chunked; below, `head` + `maskedCrossEntropy` as before. */
export const CHUNKED_MIN_ELEMENTS = 8 * 2 ** 20;

/** Rows per forward chunk for a vocabulary of V: HEAD_CHUNK_BYTES of logits, at least one row. */
export function headChunkRowsFor(V: number): number {
  return Math.max(1, Math.floor(HEAD_CHUNK_BYTES / (4 * V)));
}

/** Vocabulary entries per backward block for L rows: HEAD_CHUNK_BYTES of logits, at least one. */
export function blockColsFor(L: number): number {
  return Math.max(1, Math.floor(HEAD_CHUNK_BYTES / (4 * Math.max(1, L))));
}

/** True when N rows of a V vocabulary run chunked under the default setting (on a CPU backend): N·V ≥ CHUNKED_MIN_ELEMENTS. The memory plan counts the same. */
export function chunkedHeadFor(N: number, V: number): boolean {
  return N * V >= CHUNKED_MIN_ELEMENTS;
}

/** Chunk sizes of one call: forward rows, backward vocabulary entries (default: HEAD_CHUNK_BYTES worth). */
export interface HeadChunks {
  readonly rows: number;
  readonly cols?: number;
}

let setting: 'auto' | 'off' | HeadChunks = 'auto';

/**
 * How the head + loss of N rows over V run on the active backend: chunked (the sizes), or null for
 * the stock path (`head` + `maskedCrossEntropy`): always null off the CPU backends (webgpu has its
 * fused cross-entropy), and below CHUNKED_MIN_ELEMENTS. Decided per call, as kernels/select.ts's switches.
 */
export function headChunking(N: number, V: number): HeadChunks | null {
  const b = tf.getBackend();
  if (setting === 'off' || (b !== 'wasm' && b !== 'cpu')) return null;
  if (setting === 'auto') return chunkedHeadFor(N, V) ? { rows: headChunkRowsFor(V) } : null;
  return setting;
}

/**
 * 'auto' (the default: chunked from CHUNKED_MIN_ELEMENTS on), 'off' (the stock path, to compare),
 * or chunk sizes: always chunked, in those (tests). Returns the previous setting.
 */
export function useChunkedHead(next: 'auto' | 'off' | HeadChunks): 'auto' | 'off' | HeadChunks {
  const was = setting;
  setting = next;
  return was;
}
