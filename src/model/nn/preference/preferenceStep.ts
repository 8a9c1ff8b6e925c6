import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../../core/batch.ts';
import type { GptConfig } from '../../../core/config/gptConfig.ts';
import { ConfigError } from '../../../core/errors/ConfigError.ts';
import type { AdamW } from '../adamw.ts';
import type { Weights } from '../gpt.ts';
import { dpoLosses } from './dpoLoss.ts';
import { type KtoLossOptions, ktoLosses } from './ktoLoss.ts';
import { type SequencePair, sequenceBatch } from './prefBatch.ts';
import { batchKl, clampReferencePoint, emaReferencePoint, type ReferencePointMode, rotateByOne } from './referencePoint.ts';
import { completionLengths, sequenceLogps } from './sequenceLogps.ts';

/** What one preference step measured (host numbers: the step reads them, a sync point per step). */
export interface PreferenceStepResult {
  readonly loss: number;
  readonly gradNorm: number;
  /** β · mean summed log-ratio of the chosen (desirable) and rejected (undesirable) rows (TRL's rewards/*); NaN with none. */
  readonly rewardsChosen: number;
  readonly rewardsRejected: number;
  /** rewardsChosen − rewardsRejected (TRL's rewards/margins). */
  readonly margin: number;
  /** Mean summed policy log-probs of chosen and rejected completions (TRL's logps/*). */
  readonly logpsChosen: number;
  readonly logpsRejected: number;
  /** Mean per-token log-ratio (log π − log π_ref)/|y| over every row: what the drift guard watches. */
  readonly meanLogratio: number;
  /** DPO: share of pairs with a positive margin (rewards/accuracies). */
  readonly accuracy?: number;
  /** KTO: the reference point the loss used (max(0, z_ref) or the batch KL). */
  readonly z?: number;
  /** KTO ema: z_ref after this step's update. */
  readonly zRef?: number;
  /** KTO batch_kl: the KL estimate (before the clamp it is the same number when ≥ 0). */
  readonly kl?: number;
}

export interface PreferenceStepOptions {
  readonly lr: number;
  readonly seed: number;
  /** Rows (KTO) or pairs (DPO) per forward/backward pass; gradients are accumulated. 0 = all at once. */
  readonly microBatch: number;
  /** Token id after each row's end (its mask is 0). */
  readonly pad: number;
}

export interface KtoStepOptions extends PreferenceStepOptions, KtoLossOptions {
  readonly referencePoint: ReferencePointMode;
  /** Divide each log-ratio by its completion's length (the reference work); false = TRL's summed ratio. */
  readonly lengthNormalise: boolean;
  /** ema: z_ref before this step. */
  readonly zRef: number;
}

export interface KtoRow extends SequencePair {
  readonly desirable: boolean;
}

/**
 * One KTO update of `policy` over `rows` (one effective batch). The frozen `ref` only runs forward
 * passes outside any gradient tape. Order: reference log-probs of every row; the reference point
 * (ema: max(0, z_ref); batch_kl: policy and reference on the mismatched pairs, no gradient); then the
 * policy's passes with gradients, micro-batch by micro-batch, accumulated into one AdamW update.
 */
export async function ktoStep(policy: Weights, ref: Weights, c: GptConfig, opt: AdamW, rows: readonly KtoRow[], o: KtoStepOptions): Promise<PreferenceStepResult> {
  const N = rows.length;
  const parts = ranges(N, o.microBatch).map(([s, e]) => sequenceBatch(rows.slice(s, e), c.context, o.pad));
  const refLp = await logpsOf(ref, c, parts);
  const lengths = parts.map(completionLengths);
  let z: number;
  let kl: number | undefined;
  if (o.referencePoint === 'batch_kl') {
    if (N < 2) throw new ConfigError(`kto_reference_point batch_kl needs at least 2 rows per step to mismatch completions (this step has ${N}); raise batch_size or use kto_reference_point ema`);
    const mismatched = rotateByOne(rows.map((r) => r.completion)).map((completion, i) => ({ prompt: rows[i].prompt, completion }));
    const misParts = ranges(N, o.microBatch).map(([s, e]) => sequenceBatch(mismatched.slice(s, e), c.context, o.pad));
    const [pol, rf] = [concat(await logpsOf(policy, c, misParts)), concat(await logpsOf(ref, c, misParts))];
    kl = z = batchKl(pol, rf, o.lengthNormalise ? concat(misParts.map(completionLengths)) : null);
  } else z = clampReferencePoint(o.zRef);
  const desirable = ranges(N, o.microBatch).map(([s, e]) => Float32Array.from(rows.slice(s, e), (r) => (r.desirable ? 1 : 0)));
  const { loss, gradNorm, policyLp } = await accumulate(policy, c, opt, parts, o, (k, pol) =>
    tf.tidy(() => {
      const lens = o.lengthNormalise ? tf.tensor1d(lengths[k]) : null;
      const { losses } = ktoLosses(pol, tf.tensor1d(refLp[k]), tf.tensor1d(desirable[k]), z, o, lens);
      return losses.sum().div(N) as tf.Scalar;
    }),
  );
  const [p, r, len, d] = [concat(policyLp), concat(refLp), concat(lengths), concat(desirable)];
  const ratio = (i: number) => (p[i] - r[i]) / (o.lengthNormalise ? Math.max(1, len[i]) : 1);
  const chosen = indices(N).filter((i) => d[i] === 1);
  const rejected = indices(N).filter((i) => d[i] === 0);
  const rewardsChosen = o.beta * mean(chosen.map((i) => p[i] - r[i]));
  const rewardsRejected = o.beta * mean(rejected.map((i) => p[i] - r[i]));
  return {
    loss,
    gradNorm,
    rewardsChosen,
    rewardsRejected,
    margin: rewardsChosen - rewardsRejected,
    logpsChosen: mean(chosen.map((i) => p[i])),
    logpsRejected: mean(rejected.map((i) => p[i])),
    meanLogratio: mean(indices(N).map((i) => (p[i] - r[i]) / Math.max(1, len[i]))),
    z,
    ...(kl !== undefined ? { kl } : { zRef: emaReferencePoint(o.zRef, mean(indices(N).map(ratio))) }),
  };
}

export interface DpoStepOptions extends PreferenceStepOptions {
  readonly beta: number;
  /** ε of the conservative DPO loss; 0 = plain DPO. */
  readonly labelSmoothing: number;
}

export interface PreferencePair {
  readonly prompt: readonly number[];
  readonly chosen: readonly number[];
  readonly rejected: readonly number[];
}

/**
 * One DPO update over `pairs`: each micro-batch holds its pairs' chosen rows, then their rejected
 * rows; reference log-probs first (no tape), then the policy's passes with gradients.
 */
export async function dpoStep(policy: Weights, ref: Weights, c: GptConfig, opt: AdamW, pairs: readonly PreferencePair[], o: DpoStepOptions): Promise<PreferenceStepResult> {
  const P = pairs.length;
  const parts = pairBatches(pairs, c, o);
  const refLp = await logpsOf(ref, c, parts);
  const { loss, gradNorm, policyLp } = await accumulate(policy, c, opt, parts, o, (k, pol) =>
    tf.tidy(() => {
      const m = pol.shape[0] / 2;
      const rf = tf.tensor1d(refLp[k]);
      const { losses } = dpoLosses(pol.slice(0, m), rf.slice(0, m), pol.slice(m, m), rf.slice(m, m), o.beta, o.labelSmoothing);
      return losses.sum().div(P) as tf.Scalar;
    }),
  );
  const s = pairStats(policyLp, refLp, parts.map(completionLengths), o.beta);
  return { loss, gradNorm, ...s };
}

/** DPO's chosen-then-rejected batches, `microBatch` pairs each (0 = all). */
export function pairBatches(pairs: readonly PreferencePair[], c: GptConfig, o: Pick<PreferenceStepOptions, 'microBatch' | 'pad'>): Batch[] {
  return ranges(pairs.length, o.microBatch).map(([s, e]) => {
    const part = pairs.slice(s, e);
    return sequenceBatch([...part.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...part.map((p) => ({ prompt: p.prompt, completion: p.rejected }))], c.context, o.pad);
  });
}

/** Rewards, margins, accuracy and the per-token log-ratio of pairs from the chosen-then-rejected log-probs of each part. */
export function pairStats(policyLp: readonly Float32Array[], refLp: readonly Float32Array[], lengths: readonly Float32Array[], beta: number): Omit<PreferenceStepResult, 'loss' | 'gradNorm'> & { accuracy: number } {
  const ch: number[] = [];
  const rj: number[] = [];
  const lc: number[] = [];
  const lr: number[] = [];
  const perToken: number[] = [];
  policyLp.forEach((p, k) => {
    const m = p.length / 2;
    for (let i = 0; i < m; i++) {
      ch.push(p[i] - refLp[k][i]);
      rj.push(p[m + i] - refLp[k][m + i]);
      lc.push(p[i]);
      lr.push(p[m + i]);
    }
    for (let i = 0; i < p.length; i++) perToken.push((p[i] - refLp[k][i]) / Math.max(1, lengths[k][i]));
  });
  const rewardsChosen = beta * mean(ch);
  const rewardsRejected = beta * mean(rj);
  return {
    rewardsChosen,
    rewardsRejected,
    margin: rewardsChosen - rewardsRejected,
    logpsChosen: mean(lc),
    logpsRejected: mean(lr),
    meanLogratio: mean(perToken),
    accuracy: mean(ch.map((x, i) => (x > rj[i] ? 1 : 0))),
  };
}

/** Summed completion log-probs of each part under `w`, without gradients (eval mode). */
export async function logpsOf(w: Weights, c: GptConfig, parts: readonly Batch[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const b of parts) {
    const t = sequenceLogps(w, c, b);
    out.push((await t.data()) as Float32Array); // sync point: reads the device
    t.dispose();
  }
  return out;
}

/**
 * Gradient passes over the parts (loss of part k = lossOf(k, its policy log-probs), already divided
 * by the whole batch's count), accumulated, then one AdamW update. Returns the summed loss, the
 * pre-clip grad norm and the policy log-probs the passes saw (before the update).
 */
async function accumulate(
  policy: Weights,
  c: GptConfig,
  opt: AdamW,
  parts: readonly Batch[],
  o: PreferenceStepOptions,
  lossOf: (k: number, pol: tf.Tensor1D) => tf.Scalar,
): Promise<{ loss: number; gradNorm: number; policyLp: Float32Array[] }> {
  const vars = [...policy.values()];
  let acc: tf.NamedTensorMap | null = null;
  let loss = 0;
  const policyLp: Float32Array[] = [];
  for (let k = 0; k < parts.length; k++) {
    let kept: tf.Tensor1D | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const pol = sequenceLogps(policy, c, parts[k], true, o.seed + k * 7919);
      kept = tf.keep(pol.clone());
      return lossOf(k, pol);
    }, vars);
    loss += (await value.data())[0]; // sync point
    policyLp.push((await kept!.data()) as Float32Array);
    tf.dispose([value, kept!]);
    const prev: tf.NamedTensorMap | null = acc;
    const next: tf.NamedTensorMap = {};
    for (const [name, v] of policy) next[name] = prev ? tf.keep(prev[name].add(grads[v.name])) : grads[v.name]; // tfjs keys grads by its own variable names
    if (prev) tf.dispose([...Object.values(prev), ...Object.values(grads)]);
    acc = next;
  }
  const norm = opt.apply(acc!, o.lr);
  tf.dispose(Object.values(acc!));
  const gradNorm = (await norm.data())[0];
  norm.dispose();
  return { loss, gradNorm, policyLp };
}

/** [start, end) of consecutive chunks of `size` (0 = one chunk) over n items. */
export function ranges(n: number, size: number): [number, number][] {
  const step = size > 0 ? size : n;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += step) out.push([s, Math.min(n, s + step)]);
  return out;
}

const concat = (xs: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(xs.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of xs) {
    out.set(x, at);
    at += x.length;
  }
  return out;
};

const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Mean of the values; NaN for none. */
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
