import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { blockRanges, TILE_ROWS, TILED_MIN_T, tiledAttention } from '../../../src/model/kernels/cpu/tiledAttention.ts';
import { useTiledAttention } from '../../../src/model/kernels/select.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { attentionHeads, causalMask, disposeWeights, forward, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { randomBatch, tiny } from '../nn/tiny.ts';
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
          // T = 7 in blocks of 3 (3 + 3 + 1), the others in blocks of 64 (65 = 64 + 1, 130 = 64 + 64 + 2)
          const rows = T === 7 ? 3 : 64;
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

describe('memory of forward + backward (tf.profile peakBytes), wasm', () => {
  /** Peak bytes, over those held before, of the gradients of sum(attn(q, k, v)) at B=1, H=2, d=8: scores dominate, not q, k, v. */
  const peak = async (T: number, attn: typeof composite) => {
    const q = tf.tensor4d(seeded(2 * T * 8, 1), [1, 2, T, 8]);
    const k = tf.tensor4d(seeded(2 * T * 8, 2), [1, 2, T, 8]);
    const v = tf.tensor4d(seeded(2 * T * 8, 3), [1, 2, T, 8]);
    const step = () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attn(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D).sum())([q, k, v]));
    step(); // warm: the stock path's causal mask is made once and cached
    const before = tf.memory().numBytes;
    const p = await tf.profile(step);
    tf.dispose([q, k, v]);
    return p.peakBytes - before;
  };

  it('grows about 2× from T = 512 to 1024 tiled (linear); the stock ops grow about 4× (their [T, T] scores)', async () => {
    await setupBackend('wasm');
    const tiled = (await peak(1024, tiledAttention)) / (await peak(512, tiledAttention));
    const stock = (await peak(1024, composite)) / (await peak(512, composite));
    expect(tiled).toBeGreaterThan(1.8);
    expect(tiled).toBeLessThan(2.4);
    expect(stock).toBeGreaterThan(3.5);
    expect(await peak(1024, tiledAttention)).toBeLessThan((await peak(1024, composite)) / 4);
  }, 30_000);
});

describe('a tiny model on wasm, tiled attention against the stock ops', () => {
  it(`20 training steps at T = 260 (≥ TILED_MIN_T ${TILED_MIN_T}; query blocks of TILE_ROWS ${TILE_ROWS}, the last of 4): the losses agree to 1e-5, not bit for bit`, async () => {
    await setupBackend('wasm');
    const c = tiny({ context: 260, initStd: 0.2 });
    expect(TILED_MIN_T).toBeLessThanOrEqual(260);
    const run = (tiled: boolean) => {
      const was = useTiledAttention(tiled);
      let afterFirst = 0; // tensors alive after the first step (weights, AdamW's moments, cached RoPE tables)
      try {
        const w = initWeights(c, 5);
        const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
        const losses: number[] = [];
        for (let i = 0; i < 20; i++) {
          const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 2, 260, 100 + (i % 4)), 1e-2, i, 0);
          losses.push(loss.dataSync()[0]);
          tf.dispose([loss, gradNorm]);
          if (i === 0) afterFirst = tf.memory().numTensors;
        }
        const leaked = tf.memory().numTensors - afterFirst;
        // the path really switches: the tiled forward pads its diagonal masks (PadV2), the stock one does not
        const kernels = new Set<string>();
        const eng = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
        const orig = eng.runKernel;
        eng.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
          kernels.add(name);
          return orig.call(this, name, ...rest);
        };
        try {
          tf.tidy(() => forward(tf.tensor2d(randomBatch(c, 1, 260, 1).x, [1, 260], 'int32'), w, c));
        } finally {
          eng.runKernel = orig;
        }
        opt.dispose();
        disposeWeights(w);
        return { losses, padded: kernels.has('PadV2'), leaked };
      } finally {
        useTiledAttention(was);
      }
    };
    const a = run(true);
    const b = run(false);
    expect(a.padded).toBe(true);
    expect(a.leaked).toBe(0); // steps 2–20 leave no tensor behind
    expect(b.padded).toBe(false);
    let maxDiff = 0;
    for (let i = 0; i < 20; i++) {
      expect(Math.abs(a.losses[i] - b.losses[i]), `step ${i}`).toBeLessThan(1e-5 * b.losses[i]);
      maxDiff = Math.max(maxDiff, Math.abs(a.losses[i] - b.losses[i]));
    }
    expect(maxDiff).toBeGreaterThan(0); // another summation order
    expect(a.losses[19]).toBeLessThan(a.losses[0] - 0.1); // it trained
  }, 60_000);
});
