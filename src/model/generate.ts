import * as tf from '@tensorflow/tfjs';
import { forward, type Weights } from './gpt.ts';
import type { GptConfig } from './gptConfig.ts';
import type { Rng } from './rng.ts';
import { type SampleOptions, sampleToken } from './sample.ts';

/**
 * Autoregressive sampling without a KV cache: each new token reruns the model on the last
 * `context` tokens (O(T²) per token; fine for samples during training).
 * Calls `onToken` with each id as it is drawn; stops at `stopId` (not included) or after `maxNewTokens`.
 */
export async function generateIds(
  w: Weights,
  c: GptConfig,
  prompt: readonly number[],
  maxNewTokens: number,
  sample: SampleOptions,
  rng: Rng,
  stopId = -1,
  onToken?: (id: number) => void,
): Promise<number[]> {
  const ids = [...prompt];
  const out: number[] = [];
  for (let n = 0; n < maxNewTokens; n++) {
    const window = ids.slice(-c.context);
    const last = tf.tidy(() => {
      const logits = forward(tf.tensor2d(window, [1, window.length], 'int32'), w, c); // [1, t, V]
      return logits.slice([0, window.length - 1, 0], [1, 1, c.vocabSize]).reshape([c.vocabSize]);
    });
    const row = (await last.data()) as Float32Array; // sync point: one read per token
    last.dispose();
    const id = sampleToken(row, sample, rng);
    if (id === stopId) break;
    ids.push(id);
    out.push(id);
    onToken?.(id);
  }
  return out;
}
