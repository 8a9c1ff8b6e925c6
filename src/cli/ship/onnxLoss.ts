import type { Batch } from '../../core/batch.ts';
import { countedLength } from '../../model/nn/batch.ts';
import type { OnnxDecoder } from './onnxDecoder.ts';

/**
 * How the batches go through the decoder. 'window': each batch in one run (all rows, all positions,
 * empty past), as tfjs scores it. 'token': one row at a time, one position per run with the KV cache,
 * as the poet decodes; slower, and for int8 the figure the poet's generated tokens get (its activations
 * are quantised with one scale per run, so a run over a whole batch shares one scale across it).
 */
export type OnnxFeed = 'window' | 'token';
export const ONNX_FEEDS: readonly OnnxFeed[] = ['window', 'token'];

/**
 * Token-weighted mean cross-entropy (nats) of `batches` through an ONNX decoder: what evaluateLoss
 * computes with tfjs (log-softmax at each position whose mask is 1, of its target), in float64 on the CPU.
 */
export async function onnxLoss(decoder: OnnxDecoder, batches: readonly Batch[], feed: OnnxFeed): Promise<number> {
  const V = decoder.shape.vocabSize;
  let sum = 0;
  let tokens = 0;
  for (const b of batches) {
    if (feed === 'window') {
      const logits = await decoder.windowLogits(b.x, b.B, b.T);
      for (let i = 0; i < b.B * b.T; i++) {
        if (b.mask[i] === 0) continue;
        sum += b.mask[i] * negLogProb(logits, i * V, V, b.y[i]);
        tokens += b.mask[i];
      }
      continue;
    }
    for (let r = 0; r < b.B; r++) {
      decoder.clear();
      const n = countedLength(b.mask.subarray(r * b.T, (r + 1) * b.T));
      for (let t = 0; t < n; t++) {
        const i = r * b.T + t;
        const row = await decoder.forward([b.x[i]]);
        if (b.mask[i] === 0) continue;
        sum += b.mask[i] * negLogProb(row, 0, V, b.y[i]);
        tokens += b.mask[i];
      }
    }
  }
  decoder.clear();
  return tokens > 0 ? sum / tokens : NaN;
}

/** −log softmax(z)[target] of the row z = logits[off, off + V), through logsumexp in float64. */
export function negLogProb(logits: Float32Array, off: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (logits[off + v] > max) max = logits[off + v];
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(logits[off + v] - max);
  return max + Math.log(s) - logits[off + target];
}
