import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../core/batch.ts';
import type { Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { batchLoss } from './step.ts';

/**
 * Tokens per second of one forward + backward pass over `probe` (no optimizer update, so weights,
 * moments and RNG streams are untouched). Used to give an honest ETA before a slow first step.
 */
export async function measureThroughput(w: Weights, c: GptConfig, probe: Batch): Promise<number> {
  const t0 = performance.now();
  const { value, grads } = tf.variableGrads(() => batchLoss(w, c, probe), [...w.values()]);
  await value.data(); // sync point: the pass has run
  const s = (performance.now() - t0) / 1000;
  tf.dispose([value, ...Object.values(grads)]);
  return (probe.B * probe.T) / s;
}
