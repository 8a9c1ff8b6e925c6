import * as tf from '@tensorflow/tfjs';
import type { GptConfig } from '../core/config/gptConfig.ts';
import { hiddenStates, type Weights } from '../model/nn/gpt.ts';

/**
 * One embedding per text: the mean over its tokens of the model's final hidden states (after the
 * final norm), [hidden] each, in the order of `docs`. A text longer than the context keeps its first
 * `context` tokens. Texts are batched by length (`batchSize` per forward pass) and padded on the
 * right; the model is causal, so padding after a text's last token cannot change its states, and the
 * mean masks it out. One device read per batch; every tensor is freed.
 * @throws RangeError for an empty text (nothing to average).
 */
export async function meanPooledStates(model: { readonly weights: Weights; readonly config: GptConfig }, docs: readonly (readonly number[])[], batchSize = 8): Promise<Float32Array[]> {
  const c = model.config;
  const cut = docs.map((ids, i) => {
    if (ids.length === 0) throw new RangeError(`meanPooledStates: text ${i} has no tokens`);
    return ids.slice(0, c.context);
  });
  const order = cut.map((_, i) => i).sort((a, b) => cut[a].length - cut[b].length);
  const out: Float32Array[] = new Array(docs.length);
  for (let s = 0; s < order.length; s += batchSize) {
    const rows = order.slice(s, s + batchSize);
    const T = cut[rows[rows.length - 1]].length; // longest of the batch (sorted)
    const ids = new Int32Array(rows.length * T);
    const mask = new Float32Array(rows.length * T);
    rows.forEach((r, b) => {
      cut[r].forEach((id, t) => {
        ids[b * T + t] = id;
        mask[b * T + t] = 1;
      });
    });
    const pooled = tf.tidy(() => {
      const h = hiddenStates(tf.tensor2d(ids, [rows.length, T], 'int32'), model.weights, c); // [B, T, C]
      const m = tf.tensor3d(mask, [rows.length, T, 1]);
      return h.mul(m).sum(1).div(m.sum(1)); // [B, C]
    });
    const data = (await pooled.data()) as Float32Array; // sync point: reads the device
    pooled.dispose();
    rows.forEach((r, b) => {
      out[r] = data.slice(b * c.hidden, (b + 1) * c.hidden);
    });
  }
  return out;
}
