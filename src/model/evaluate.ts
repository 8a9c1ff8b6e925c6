import * as tf from '@tensorflow/tfjs';
import type { Batch } from './batch.ts';
import type { Weights } from './gpt.ts';
import type { GptConfig } from './gptConfig.ts';
import { batchLoss } from './step.ts';

/**
 * Token-weighted mean loss over `batches` (no dropout). One GPU→CPU read at the end.
 */
export async function evaluateLoss(w: Weights, c: GptConfig, batches: readonly Batch[]): Promise<number> {
  if (batches.length === 0) return NaN;
  const total = tf.tidy(() => tf.addN(batches.map((b) => batchLoss(w, c, b).mul(b.tokens))));
  const sum = (await total.data())[0]; // sync point
  total.dispose();
  return sum / batches.reduce((n, b) => n + b.tokens, 0);
}
