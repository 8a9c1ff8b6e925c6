import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { blockRanges, tiledAttention } from '../../../src/model/kernels/cpu/tiledAttention.ts';
import { attentionHeads, causalMask } from '../../../src/model/nn/gpt.ts';
import { seeded } from './webgpuHarness.ts';

/**
 * Issue #20: the CPU backends' tiled causal attention against the composite `attentionHeads` with
 * the [g·T, T] causal mask — values and the gradients of q, k, v — at odd sizes, MHA and GQA.
 */
const composite = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => attentionHeads(q, k, v, causalMask(q.shape[2], q.shape[1] / k.shape[1]));

/** o, dq, dk, dv of sum(attn(q, k, v) ∘ R) as arrays. */
function valueAndGrads(B: number, H: number, KV: number, T: number, d: number, attn: typeof composite): Float32Array[] {
  return tf.tidy(() => {
    const qs: [number, number, number, number] = [B, H, T, d];
    const ks: [number, number, number, number] = [B, KV, T, d];
    const q = tf.tensor4d(seeded(B * H * T * d, 1, 1.5), qs);
    const k = tf.tensor4d(seeded(B * KV * T * d, 2, 1.5), ks);
    const v = tf.tensor4d(seeded(B * KV * T * d, 3), ks);
    const R = tf.tensor4d(seeded(B * H * T * d, 4), qs);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attn(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D).mul(R).sum();
    return [attn(q, k, v), ...tf.grads(f)([q, k, v])].map((t) => t.dataSync() as Float32Array);
  });
}

/** Largest |a − b| over max(1, largest |b|). */
const err = (a: Float32Array, b: Float32Array) => {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
};

describe('blockRanges', () => {
  it('cuts T into blocks of `rows`, the last one shorter', () => {
    expect(blockRanges(130, 64)).toEqual([
      [0, 64],
      [64, 128],
      [128, 130],
    ]);
    expect(blockRanges(1, 64)).toEqual([[0, 1]]);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tiledAttention on ${backend} against attentionHeads with the causal mask`, () => {
    for (const T of [1, 7, 65, 130]) {
      for (const d of [8, 12]) {
        for (const KV of [4, 2]) {
          // T = 7 in blocks of 3 (3 + 3 + 1), the others in the default 64 (65 = 64 + 1, 130 = 64 + 64 + 2)
          const rows = T === 7 ? 3 : undefined;
          it(`B=2, H=4, KV=${KV}, T=${T}, d=${d}: o, dq, dk, dv within 1e-5`, async () => {
            await setupBackend(backend);
            const before = tf.memory().numTensors;
            const ref = valueAndGrads(2, 4, KV, T, d, composite);
            const got = valueAndGrads(2, 4, KV, T, d, (q, k, v) => tiledAttention(q, k, v, rows));
            ['o', 'dq', 'dk', 'dv'].forEach((name, i) => expect(err(got[i], ref[i]), name).toBeLessThan(1e-5));
            expect(err(got[2], new Float32Array(got[2].length))).toBeGreaterThan(T > 1 ? 1e-3 : -1); // the gradients are not all zero
            expect(tf.memory().numTensors - before).toBeLessThanOrEqual(1); // no leak (causalMask keeps one cached mask)
          });
        }
      }
    }
  });
}
