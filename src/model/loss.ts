import * as tf from '@tensorflow/tfjs';

/**
 * Mean cross-entropy over the positions where mask = 1 (padding masked out).
 * logits [N, V], targets [N] int32, mask [N] float32 → scalar.
 * Memory: a one-hot [N, V] beside the logits; a fused kernel would avoid it.
 */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const V = logits.shape[1];
  const logp = tf.logSoftmax(logits); // [N, V]
  // oneHot straight to float32 is wrong on wasm (tfjs 4.22 writes int bits): build int32, then cast.
  const nll = logp.mul(tf.oneHot(targets, V).cast('float32')).sum(-1).neg(); // [N]
  return nll.mul(mask).sum().div(mask.sum().maximum(1)) as tf.Scalar;
}
