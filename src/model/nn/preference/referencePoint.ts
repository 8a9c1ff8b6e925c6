/**
 * KTO's reference point z_ref, two ways (both detached: no gradient flows through it):
 * - `ema`, the reference work's: z_ref ← 0.99 · z_ref + 0.01 · mean(r) after each step, r the batch's
 *   log-ratios; the loss uses z = max(0, z_ref).
 * - `batch_kl`, TRL's KTOTrainer and the KTO paper's: the mean log-ratio of mismatched pairs (each
 *   prompt with another row's completion, completions rotated by one), clamped at 0.
 */
export type ReferencePointMode = 'ema' | 'batch_kl';

/** The reference work's EMA weights: 0.99 on the old value, 0.01 on the batch mean. */
export const Z_REF_DECAY = 0.99;

/** One EMA update of z_ref with the batch's mean log-ratio. */
export const emaReferencePoint = (zRef: number, meanLogratio: number, decay = Z_REF_DECAY): number => decay * zRef + (1 - decay) * meanLogratio;

/** z = max(0, z_ref): the reference point the loss uses. */
export const clampReferencePoint = (zRef: number): number => Math.max(0, zRef);

/**
 * TRL's KL estimate from the mismatched pairs' log-probs under policy and reference (each ÷ its
 * completion length when `lengths` is given): max(0, mean(policy − reference)). NaN-free for n ≥ 1.
 */
export function batchKl(policy: ArrayLike<number>, ref: ArrayLike<number>, lengths: ArrayLike<number> | null = null): number {
  let s = 0;
  for (let i = 0; i < policy.length; i++) s += (policy[i] - ref[i]) / (lengths ? Math.max(1, lengths[i]) : 1);
  return Math.max(0, policy.length ? s / policy.length : 0);
}

/** Rows i of a batch paired with completion i − 1 (row 0 with the last): ((x₁,yₙ), (x₂,y₁), …), TRL's mismatched pairs. */
export function rotateByOne<T>(items: readonly T[]): T[] {
  return items.length < 2 ? [...items] : [items[items.length - 1], ...items.slice(0, -1)];
}
