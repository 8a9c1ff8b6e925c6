import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import type { Batch } from './batch.ts';
import { forward, type Weights } from './gpt.ts';
import type { GptConfig } from './gptConfig.ts';
import { maskedCrossEntropy } from './loss.ts';

/** Loss of a batch (scalar tensor). Dropout only when `training`. */
export function batchLoss(w: Weights, c: GptConfig, batch: Batch, training = false, seed = 0): tf.Scalar {
  return tf.tidy(() => {
    const { B, T } = batch;
    const x = tf.tensor2d(batch.x, [B, T], 'int32');
    const logits = forward(x, w, c, { training, seed }).reshape([B * T, c.vocabSize]) as tf.Tensor2D;
    return maskedCrossEntropy(logits, tf.tensor1d(batch.y, 'int32'), tf.tensor1d(batch.mask, 'float32'));
  });
}

/**
 * One optimisation step: loss, gradients, AdamW update. Returns the loss and the pre-clip grad norm
 * as scalars still on the device: the caller reads them (a sync point) only when it logs, and
 * disposes them.
 */
export function gradientStep(w: Weights, c: GptConfig, opt: AdamW, batch: Batch, lr: number, seed: number): { loss: tf.Scalar; gradNorm: tf.Scalar } {
  const { value, grads } = tf.variableGrads(() => batchLoss(w, c, batch, true, seed), [...w.values()]);
  const byParam: tf.NamedTensorMap = {};
  for (const [name, v] of w) byParam[name] = grads[v.name]; // tfjs keys grads by its own variable names
  const gradNorm = opt.apply(byParam, lr);
  tf.dispose(grads);
  return { loss: value, gradNorm };
}
