import * as tf from '@tensorflow/tfjs';

/**
 * DPO's sigmoid loss per pair (Rafailov et al.; TRL's DPOTrainer, summed log-probs):
 *   Δ = (log π(y_c|x) − log π_ref(y_c|x)) − (log π(y_r|x) − log π_ref(y_r|x))
 *   loss = −(1 − ε) · log σ(βΔ) − ε · log σ(−βΔ)
 * ε (label smoothing, the conservative DPO of older TRL releases) is 0 for plain DPO.
 * All inputs [P] → losses [P], and Δ [P] (the margin of log-ratios).
 */
export function dpoLosses(
  policyChosen: tf.Tensor1D,
  refChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  refRejected: tf.Tensor1D,
  beta: number,
  labelSmoothing = 0,
): { losses: tf.Tensor1D; margins: tf.Tensor1D } {
  return tf.tidy(() => {
    const margins = policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected)) as tf.Tensor1D;
    const logits = margins.mul(beta);
    let losses = logSigmoid(logits).mul(-(1 - labelSmoothing));
    if (labelSmoothing > 0) losses = losses.sub(logSigmoid(logits.neg()).mul(labelSmoothing));
    return { losses: losses as tf.Tensor1D, margins };
  });
}

/**
 * log σ(x) = min(x, 0) − log(1 + e^−|x|), stable for large |x|. (tf.logSigmoid's custom gradient
 * reads a tensor that an enclosing tf.tidy has already disposed when it runs under tf.grads.)
 */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return x.minimum(0).sub(x.abs().neg().exp().log1p());
}
