import type { Batch } from '../../core/batch.ts';
import { countedLength } from '../../model/nn/batch.ts';
import type { OnnxDecoder } from './onnxDecoder.ts';

/**
 * How each row (a window of the batch, up to its last counted target) goes through the decoder.
 * 'window': the whole row in one run from an empty past, as tfjs scores it and as the poet reads a
 * prompt. 'token': one position per run with the KV cache, as the poet decodes; slower. They differ for
 * int8 only: its activations are quantised with one scale per run, over the row's positions in a window,
 * over one position per token. A row at a time keeps the logits at T × V floats whatever the batch size,
 * and the figure independent of it.
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
    for (let r = 0; r < b.B; r++) {
      const n = countedLength(b.mask.subarray(r * b.T, (r + 1) * b.T));
      if (n === 0) continue;
      if (feed === 'window') {
        const logits = await decoder.windowLogits(b.x.subarray(r * b.T, r * b.T + n), 1, n);
        for (let t = 0; t < n; t++) {
          const i = r * b.T + t;
          if (b.mask[i] === 0) continue;
          sum += b.mask[i] * negLogProb(logits, t * V, V, b.y[i]);
          tokens += b.mask[i];
        }
        continue;
      }
      decoder.clear();
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
