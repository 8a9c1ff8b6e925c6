import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { blockColsFor, chunkedCrossEntropy, chunkRanges, headChunking, headChunkRowsFor, useChunkedHead } from '../../../src/model/kernels/cpu/chunkedCrossEntropy.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import { maskedCrossEntropy } from '../../../src/model/nn/loss.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { randomBatch, tiny } from '../nn/tiny.ts';
import { seeded } from './webgpuHarness.ts';

/**
 * Issue #20: the CPU backends' chunked head + cross-entropy against the stock path (the head's
 * matmul, then `maskedCrossEntropy`): the loss and the gradients of h and of the head matrix, tied
 * ([V, C], logits h·Wᵀ) and untied ([C, V]), at odd sizes: N not a multiple of the chunk, masked-out
 * rows, V = 257, chunks of 1 row and of more than N, backward blocks of the vocabulary of 1 entry, of
 * sizes that do not divide V and of more than V.
 */
type Loss = (h: tf.Tensor2D, W: tf.Tensor2D, tied: boolean, t: tf.Tensor1D, m: tf.Tensor1D) => tf.Scalar;
const stock: Loss = (h, W, tied, t, m) => maskedCrossEntropy(h.matMul(W, false, tied) as tf.Tensor2D, t, m);
const chunked =
  (rows: number, cols?: number): Loss =>
  (h, W, tied, t, m) =>
    chunkedCrossEntropy(h, W, tied, t, m, rows, cols);

/** loss, dh, dW of `loss` at N rows of C over V, dy = 0.7 (the loss scaled, as a micro-batch's share). */
function valueAndGrads(N: number, C: number, V: number, tied: boolean, mask: number[], loss: Loss): Float32Array[] {
  return tf.tidy(() => {
    const h = tf.tensor2d(seeded(N * C, 1, 2), [N, C]);
    const W = tf.tensor2d(seeded(V * C, 2, 0.6), tied ? [V, C] : [C, V]);
    const t = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 37 + 5) % V), 'int32');
    const m = tf.tensor1d(mask);
    const f = (a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D, tied, t, m).mul(0.7);
    const { value, grads } = tf.valueAndGrads(f)([h, W]);
    return [value, ...grads].map((x) => x.dataSync() as Float32Array);
  });
}

/** Largest |a − b| over the largest |b|: relative to the tensor's scale. */
const relErr = (a: Float32Array, b: Float32Array) => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
};

describe('chunkRanges and the chunk size', () => {
  it('cuts N rows into chunks of `rows`, the last one shorter', () => {
    expect(chunkRanges(13, 5)).toEqual([
      [0, 5],
      [5, 10],
      [10, 13],
    ]);
    expect(chunkRanges(3, 8)).toEqual([[0, 3]]);
  });

  it('takes rows (forward) and vocabulary blocks (backward) from the byte budget: 16 MiB of logits, at least 1', () => {
    expect(headChunkRowsFor(49152)).toBe(85);
    expect(headChunkRowsFor(24000)).toBe(174);
    expect(headChunkRowsFor(2 ** 30)).toBe(1);
    expect(blockColsFor(256)).toBe(16384); // smollm2-135m at 1 × 256: 3 blocks of its 49,152
    expect(blockColsFor(8192)).toBe(512);
    expect(blockColsFor(0)).toBe(4 * 2 ** 20);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`chunkedCrossEntropy on ${backend} against the head matmul + maskedCrossEntropy`, () => {
    const N = 13;
    const C = 24;
    const V = 257;
    const mask = Array.from({ length: N }, (_, i) => (i === 4 || i === 11 ? 0 : 1)); // two rows of padding
    for (const tied of [true, false]) {
      for (const [rows, cols] of [[1, 100], [4, 1], [13, 64], [50, 300], [5, undefined]]) {
        it(`${tied ? 'tied [V, C]' : 'untied [C, V]'}, N=${N} in chunks of ${rows}, V=${V} in blocks of ${cols ?? 'the budget'}: loss, dh, dW within 1e-5 relative`, async () => {
          await setupBackend(backend);
          const before = tf.memory().numTensors;
          const ref = valueAndGrads(N, C, V, tied, mask, stock);
          const got = valueAndGrads(N, C, V, tied, mask, chunked(rows!, cols));
          ['loss', 'dh', 'dW'].forEach((name, i) => expect(relErr(got[i], ref[i]), name).toBeLessThan(1e-5));
          expect(ref[0][0]).toBeGreaterThan(1); // a real loss, not a degenerate one
          // the masked rows get no gradient, the others do
          expect(Array.from(got[1].subarray(4 * C, 5 * C)).every((v) => v === 0)).toBe(true);
          expect(Math.max(...Array.from(got[1].subarray(5 * C, 6 * C), Math.abs))).toBeGreaterThan(1e-4);
          expect(tf.memory().numTensors).toBe(before); // no leak
        });
      }
    }

    it('all rows masked: loss 0 and zero gradients (no chunk runs)', async () => {
      await setupBackend(backend);
      const got = valueAndGrads(5, 8, 31, true, [0, 0, 0, 0, 0], chunked(2));
      expect(got[0][0]).toBe(0);
      expect(got[1].every((v) => v === 0) && got[2].every((v) => v === 0)).toBe(true);
    });
  });
}

describe('headChunking: when the model runs the head chunked', () => {
  it('on the CPU backends from 8M logits on, in 16 MiB chunks; forced on or off by useChunkedHead', async () => {
    await setupBackend('cpu');
    expect(headChunking(256, 49152)).toEqual({ rows: 85 }); // smollm2-135m at 1 × 256: 12.6M logits
    expect(headChunking(8192, 201)).toBe(null); // char-10m at 32 × 256: 1.6M
    const was = useChunkedHead({ rows: 3, cols: 5 });
    try {
      expect(headChunking(4, 11)).toEqual({ rows: 3, cols: 5 });
      useChunkedHead('off');
      expect(headChunking(256, 49152)).toBe(null);
    } finally {
      useChunkedHead(was);
    }
  });
});

describe('memory of forward + backward (tf.profile peakBytes), wasm', () => {
  /** Peak bytes, over those held before, of loss and gradients at N = 1024 rows of C = 64 over V = 8192 (8M logits, 32 MiB a copy). */
  const peak = async (loss: Loss) => {
    const [N, C, V] = [1024, 64, 8192];
    const h = tf.tensor2d(seeded(N * C, 1), [N, C]);
    const W = tf.tensor2d(seeded(V * C, 2, 0.3), [V, C]);
    const t = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 37 + 5) % V), 'int32');
    const m = tf.ones([N]) as tf.Tensor1D;
    const step = () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D, true, t, m))([h, W]));
    step();
    const before = tf.memory().numBytes;
    const p = await tf.profile(step);
    tf.dispose([h, W, t, m]);
    return p.peakBytes - before;
  };

  it('chunks of 64 rows (backward: blocks of 512 of the vocabulary) hold a fraction of the stock path (whole [1024, 8192] logits, softmax and gradient)', async () => {
    await setupBackend('wasm');
    const stockPeak = await peak(stock);
    const chunkedPeak = await peak(chunked(64, 512));
    const grads = 4 * (1024 * 64 + 8192 * 64); // dh and dW, returned by both
    expect(stockPeak).toBeGreaterThan(grads + 5 * 4 * 1024 * 8192); // ≥ 5 logits-sized tensors
    // CHUNK_FACTOR (3) chunks of [64, V] (blocks of [1024, 512]: as large), and tf.profile's count of the saved clone of W
    expect(chunkedPeak).toBeLessThan(grads + 4 * (3 * 64 * 8192 + 8192 * 64) * 1.15);
    expect(chunkedPeak / stockPeak).toBeLessThan(0.2);
  }, 30_000);
});

describe('a tiny model with V = 4,096 on wasm, the chunked head against the stock path', () => {
  for (const tied of [true, false]) {
    it(`${tied ? 'tied' : 'untied'} head: 20 training steps in chunks of 7 rows (40 live of 2 × 24 rows, the last chunk of 5) and blocks of 1,000 of the vocabulary: the losses agree to 1e-5, not bit for bit`, async () => {
      await setupBackend('wasm');
      const c = tiny({ vocabSize: 4096, context: 24, tied, initStd: 0.2 });
      const run = async (setting: 'off' | { rows: number; cols: number }) => {
        const was = useChunkedHead(setting);
        try {
          const w = initWeights(c, 5);
          const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
          const losses: number[] = [];
          let afterFirst = 0;
          let firstPeak = 0;
          for (let i = 0; i < 20; i++) {
            const batch = randomBatch(c, 2, 24, 100 + (i % 4));
            batch.mask.fill(0, 40); // the second row's last 8 positions are padding
            const step = () => gradientStep(w, c, opt, { ...batch, tokens: 40 }, 1e-2, i, 0);
            let r: ReturnType<typeof step> | undefined;
            if (i === 0) firstPeak = (await tf.profile(() => void (r = step()))).peakBytes;
            else r = step();
            losses.push(r!.loss.dataSync()[0]);
            tf.dispose([r!.loss, r!.gradNorm]);
            if (i === 0) afterFirst = tf.memory().numTensors;
          }
          const leaked = tf.memory().numTensors - afterFirst;
          opt.dispose();
          disposeWeights(w);
          return { losses, leaked, firstPeak };
        } finally {
          useChunkedHead(was);
        }
      };
      const a = await run({ rows: 7, cols: 1000 });
      const b = await run('off');
      expect(a.leaked).toBe(0);
      expect(a.firstPeak).toBeLessThan(b.firstPeak); // the path really switched: no [48, 4096] logits and their gradients
      let maxDiff = 0;
      for (let i = 0; i < 20; i++) {
        expect(Math.abs(a.losses[i] - b.losses[i]), `step ${i}`).toBeLessThan(1e-5 * b.losses[i]);
        maxDiff = Math.max(maxDiff, Math.abs(a.losses[i] - b.losses[i]));
      }
      expect(maxDiff).toBeGreaterThan(0); // another summation order
      expect(a.losses[0]).toBeGreaterThan(Math.log(4096) * 0.8);
      expect(a.losses[19]).toBeLessThan(a.losses[0] - 0.5); // it trained
    }, 60_000);
  }
});
