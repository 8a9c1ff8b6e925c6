import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import { microBatches } from './batch.ts';
import type { Batch } from '../../core/batch.ts';
import { hiddenStates, type Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { headLoss } from './loss.ts';
import type { StepGuard } from './stepGuard.ts';
import { hostView, onHost, ownsStorage, touched } from '../kernels/cpu/hostMemory.ts';

/** Loss of a batch (scalar tensor). Dropout only when `training`. */
export function batchLoss(w: Weights, c: GptConfig, batch: Batch, training = false, seed = 0): tf.Scalar {
  return tf.tidy(() => {
    const { B, T } = batch;
    const x = tf.tensor2d(batch.x, [B, T], 'int32');
    const h = hiddenStates(x, w, c, { training, seed }).reshape([B * T, c.hidden]) as tf.Tensor2D;
    return headLoss(h, w, c, tf.tensor1d(batch.y, 'int32'), tf.tensor1d(batch.mask, 'float32'));
  });
}

/**
 * One optimisation step: loss, gradients, AdamW update. Returns the loss and the pre-clip grad norm
 * as scalars still on the device: the caller reads them (a sync point) only when it logs, and
 * disposes them.
 * `microBatch` > 0 splits the batch into micro-batches of that many rows and accumulates their
 * gradients, each weighted by its share of the loss tokens, so the update equals the full batch's
 * while activations are held for one micro-batch at a time.
 * With a `guard`, a step whose loss or gradient is not finite (or, with a spike factor, whose loss
 * spikes) is not applied: weights and moments stay as they were, decided on the device (no read).
 */
export function gradientStep(w: Weights, c: GptConfig, opt: AdamW, batch: Batch, lr: number, seed: number, microBatch = 0, guard?: StepGuard): { loss: tf.Scalar; gradNorm: tf.Scalar } {
  const vars = [...w.values()];
  const parts = microBatches(batch, microBatch);
  let loss: tf.Scalar | null = null;
  let acc: tf.NamedTensorMap | null = null;
  parts.forEach((part, k) => {
    const share = batch.tokens > 0 ? part.tokens / batch.tokens : 1 / parts.length;
    const { value, grads } = tf.variableGrads(() => batchLoss(w, c, part, true, seed + k * 7919).mul(share) as tf.Scalar, vars);
    const prevLoss = loss;
    loss = prevLoss ? tf.keep(prevLoss.add(value)) : value;
    if (prevLoss) tf.dispose([prevLoss, value]);
    if (acc && accumulateOnHost(acc, w, grads)) return;
    const prevAcc: tf.NamedTensorMap | null = acc;
    const next: tf.NamedTensorMap = {};
    for (const [name, v] of w) next[name] = prevAcc ? tf.keep(prevAcc[name].add(grads[v.name])) : grads[v.name]; // tfjs keys grads by its own variable names
    if (prevAcc) tf.dispose([...Object.values(prevAcc), ...Object.values(grads)]);
    acc = next;
  });
  const total: tf.Scalar = loss!;
  const gradNorm = opt.apply(acc!, lr, guard ? (norm) => guard.gate(total, norm) : undefined);
  tf.dispose(Object.values(acc!));
  return { loss: total, gradNorm };
}

/**
 * acc[name] += grads[tfjs name] in place on a CPU backend (wasm, cpu), then frees the gradients:
 * two model-sized buffers at a time instead of three (acc, grads and their sum). False, touching
 * nothing, off the host or when an accumulator's storage is shared.
 */
function accumulateOnHost(acc: tf.NamedTensorMap, w: Weights, grads: tf.NamedTensorMap): boolean {
  if (!onHost()) return false;
  for (const [name, v] of w) if (!ownsStorage(acc[name]) || !hostView(acc[name]) || !hostView(grads[v.name])) return false;
  for (const [name, v] of w) {
    const a = hostView(acc[name])!;
    const g = hostView(grads[v.name])!;
    for (let i = 0; i < a.length; i++) a[i] += g[i];
    touched(acc[name]);
  }
  tf.dispose(Object.values(grads));
  return true;
}
