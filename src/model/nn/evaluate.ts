import * as tf from '@tensorflow/tfjs';
import { sumAll } from './sumAll.ts';
import { microBatches } from './batch.ts';
import type { Batch } from '../../core/batch.ts';
import type { Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { batchLoss } from './step.ts';

/**
 * Token-weighted mean loss over `batches` (no dropout), `microBatch` rows at a time (0 = whole
 * batches). One GPU→CPU read at the end.
 */
export async function evaluateLoss(w: Weights, c: GptConfig, batches: readonly Batch[], microBatch = 0): Promise<number> {
  if (batches.length === 0) return NaN;
  const parts = batches.flatMap((b) => microBatches(b, microBatch));
  const total = tf.tidy(() => sumAll(parts.map((b) => batchLoss(w, c, b).mul(b.tokens))));
  const sum = (await total.data())[0]; // sync point
  total.dispose();
  return sum / batches.reduce((n, b) => n + b.tokens, 0);
}
