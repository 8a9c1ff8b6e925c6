import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { chunkedCrossEntropy, chunkRanges, headChunkRows, headChunkRowsFor, useChunkedHead } from '../../../src/model/kernels/cpu/chunkedCrossEntropy.ts';
import { maskedCrossEntropy } from '../../../src/model/nn/loss.ts';
import { seeded } from './webgpuHarness.ts';

/**
 * Issue #20: the CPU backends' chunked head + cross-entropy against the stock path (the head's
 * matmul, then `maskedCrossEntropy`): the loss and the gradients of h and of the head matrix, tied
 * ([V, C], logits h·Wᵀ) and untied ([C, V]), at odd sizes: N not a multiple of the chunk, masked-out
 * rows, V = 257, chunks of 1 row and of more than N.
 */
type Loss = (h: tf.Tensor2D, W: tf.Tensor2D, tied: boolean, t: tf.Tensor1D, m: tf.Tensor1D) => tf.Scalar;
const stock: Loss = (h, W, tied, t, m) => maskedCrossEntropy(h.matMul(W, false, tied) as tf.Tensor2D, t, m);
const chunked =
  (rows: number): Loss =>
  (h, W, tied, t, m) =>
    chunkedCrossEntropy(h, W, tied, t, m, rows);

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

  it('takes rows from the byte budget: 16 MiB of logits, 85 rows at V = 49,152, at least 1', () => {
    expect(headChunkRowsFor(49152)).toBe(85);
    expect(headChunkRowsFor(24000)).toBe(174);
    expect(headChunkRowsFor(2 ** 30)).toBe(1);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`chunkedCrossEntropy on ${backend} against the head matmul + maskedCrossEntropy`, () => {
    const N = 13;
    const C = 24;
    const V = 257;
    const mask = Array.from({ length: N }, (_, i) => (i === 4 || i === 11 ? 0 : 1)); // two rows of padding
    for (const tied of [true, false]) {
      for (const rows of [1, 4, 13, 50]) {
        it(`${tied ? 'tied [V, C]' : 'untied [C, V]'}, N=${N} in chunks of ${rows}: loss, dh, dW within 1e-5 relative`, async () => {
          await setupBackend(backend);
          const before = tf.memory().numTensors;
          const ref = valueAndGrads(N, C, V, tied, mask, stock);
          const got = valueAndGrads(N, C, V, tied, mask, chunked(rows));
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

describe('headChunkRows: when the model runs the head chunked', () => {
  it('on the CPU backends from 8M logits on, in 16 MiB chunks; forced on or off by useChunkedHead', async () => {
    await setupBackend('cpu');
    expect(headChunkRows(256, 49152)).toBe(85); // smollm2-135m at 1 × 256: 12.6M logits
    expect(headChunkRows(8192, 201)).toBe(0); // char-10m at 32 × 256: 1.6M
    const was = useChunkedHead(3);
    try {
      expect(headChunkRows(4, 11)).toBe(3);
      useChunkedHead('off');
      expect(headChunkRows(256, 49152)).toBe(0);
    } finally {
      useChunkedHead(was);
    }
  });
});
