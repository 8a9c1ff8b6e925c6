import * as tf from '@tensorflow/tfjs';

export interface KtoLossOptions {
  /** β: the sharpness of the value function. The reference run and TRL: 0.1. */
  readonly beta: number;
  /** λ_D: weight of desirable (label true) rows. */
  readonly lambdaD: number;
  /** λ_U: weight of undesirable (label false) rows. */
  readonly lambdaU: number;
}

/**
 * KTO's per-row losses (Ethayarajh et al., as the reference work and TRL's KTOTrainer write them):
 *   r = log π(y|x) − log π_ref(y|x)        (÷ |y| when `lengths` is given: the reference work's length-normalised ratio)
 *   desirable:   λ_D · (1 − σ(β(r − z)))
 *   undesirable: λ_U · (1 − σ(β(z − r)))
 * `z` is the reference point, already max(0, z_ref) and detached (a number or a scalar tensor with
 * no gradient path to the policy). The mean over the rows is TRL's loss (it concatenates the two
 * groups' losses and averages them).
 * policy, ref [N] summed log-probs; desirable [N] 1 or 0; lengths [N] or null → losses [N], r [N].
 */
export function ktoLosses(
  policy: tf.Tensor1D,
  ref: tf.Tensor1D,
  desirable: tf.Tensor1D,
  z: number | tf.Scalar,
  o: KtoLossOptions,
  lengths: tf.Tensor1D | null = null,
): { losses: tf.Tensor1D; logratios: tf.Tensor1D } {
  return tf.tidy(() => {
    const raw = policy.sub(ref);
    const r = (lengths ? raw.div(lengths.maximum(1)) : raw) as tf.Tensor1D;
    const zt = typeof z === 'number' ? tf.scalar(z) : z;
    const chosen = tf.scalar(1).sub(tf.sigmoid(r.sub(zt).mul(o.beta))).mul(o.lambdaD);
    const rejected = tf.scalar(1).sub(tf.sigmoid(zt.sub(r).mul(o.beta))).mul(o.lambdaU);
    const losses = desirable.mul(chosen).add(tf.scalar(1).sub(desirable).mul(rejected)) as tf.Tensor1D;
    return { losses, logratios: r };
  });
}
