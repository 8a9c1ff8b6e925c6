import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../../core/batch.ts';
import type { GptConfig } from '../../../core/config/gptConfig.ts';
import { forward, type Weights } from '../gpt.ts';
import { pickTargets } from '../loss.ts';

/**
 * log p(tᵢ | zᵢ) for each row: zᵢ[tᵢ] − logsumexp(zᵢ), with its gradient written by hand as the
 * training loss's is (the forward keeps only the logits; the backward builds softmax and one-hot once):
 *   ∂/∂zᵢ = dyᵢ · (onehot(tᵢ) − softmax(zᵢ))
 * logits [N, V], targets [N] int32 → [N].
 */
export function tokenLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const f = (z: tf.Tensor, save: tf.GradSaveFunc) => {
    const zmax = z.max(-1, true); // [N, 1]: logsumexp without overflow
    const lse = z.sub(zmax).exp().sum(-1).log().add(zmax.reshape([-1])); // [N]
    save([z, targets]);
    return {
      value: pickTargets(z as tf.Tensor2D, targets).sub(lse),
      gradFunc: (dy: tf.Tensor, [zs, ts]: tf.Tensor[]) => {
        // int32 one-hot, then cast: tfjs 4.22's wasm oneHot straight to float32 writes int bits
        const onehot = tf.oneHot(ts as tf.Tensor1D, V).cast('float32');
        return onehot.sub(tf.softmax(zs)).mul(dy.reshape([-1, 1]));
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Tensor1D;
}

/**
 * Sequence log-probabilities of completions given their prompts: for each row b of the batch,
 * Σₜ mask[b, t] · log p(y[b, t] | x[b, ..t]) — summed over the completion's tokens (the mask is 1 on
 * targets that are completion tokens, 0 on the prompt and padding), as TRL's KTO and DPO trainers sum
 * them. Dropout only when `training`. batch x, y, mask [B, T] → [B].
 */
export function sequenceLogps(w: Weights, c: GptConfig, batch: Batch, training = false, seed = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const { B, T } = batch;
    const x = tf.tensor2d(batch.x, [B, T], 'int32');
    const logits = forward(x, w, c, { training, seed }).reshape([B * T, c.vocabSize]) as tf.Tensor2D;
    const lp = tokenLogProbs(logits, tf.tensor1d(batch.y, 'int32')); // [B·T]
    return lp.mul(tf.tensor1d(batch.mask, 'float32')).reshape([B, T]).sum(1) as tf.Tensor1D;
  });
}

/** Completion tokens per row (the mask's row sums): |y| for length-normalised log-ratios. [B] */
export function completionLengths(batch: Batch): Float32Array {
  const out = new Float32Array(batch.B);
  for (let b = 0; b < batch.B; b++) for (let t = 0; t < batch.T; t++) out[b] += batch.mask[b * batch.T + t];
  return out;
}
