import * as ort from 'onnxruntime-node';
import type { GptConfig } from '../../../../src/core/config/gptConfig.ts';

/** Helpers the ONNX decoder tests share: run an exported decoder in onnxruntime-node and compare logits. */

export const IDS = [5, 17, 3, 42, 8, 8, 30];

export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** The encoder's chunks as one array (an InferenceSession takes one buffer). */
export const joinBytes = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

export const i64 = (v: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(v, BigInt), [1, v.length]);

/** Runs the graph on `ids` after a past of `start` positions (`past`: a previous run's present outputs) → logits and presents. */
export async function runDecoder(s: ort.InferenceSession, c: GptConfig, ids: readonly number[], start: number, past: Record<string, ort.Tensor> | null) {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: i64(ids),
    attention_mask: i64(new Array(start + ids.length).fill(1)),
    position_ids: i64(ids.map((_, i) => start + i)),
  };
  for (let i = 0; i < c.layers; i++) {
    for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = past?.[`present.${i}.${kv}`] ?? new ort.Tensor('float32', new Float32Array(0), [1, c.kvHeads, 0, c.headDim]);
  }
  return s.run(feeds);
}
