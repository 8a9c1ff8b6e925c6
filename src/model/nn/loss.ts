import * as tf from '@tensorflow/tfjs';
import { fusedOn } from '../kernels/select.ts';
import { crossEntropyFused } from '../kernels/webgpu/crossEntropy.ts';
import { chunkedCrossEntropy, headChunking } from '../kernels/cpu/chunkedCrossEntropy.ts';
import { head, type Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';

/**
 * The head and the loss together: h [N, C] (the final norm's output) → masked mean cross-entropy of
 * its logits. On the CPU backends at large N·V the two run chunked (no [N, V] tensor, forward or
 * backward: kernels/cpu/chunkedCrossEntropy.ts); elsewhere `head` then `maskedCrossEntropy`.
 */
export function headLoss(h: tf.Tensor2D, w: Weights, c: GptConfig, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const chunks = headChunking(h.shape[0], c.vocabSize);
  if (chunks) return chunkedCrossEntropy(h, w.get(c.tied ? 'wte' : 'lm_head')! as tf.Tensor2D, c.tied, targets, mask, chunks.rows, chunks.cols);
  return maskedCrossEntropy(head(h, w, c), targets, mask);
}

/**
 * Mean cross-entropy over the positions where mask = 1 (padding masked out), with its gradient
 * written by hand:
 *   loss = Σᵢ wᵢ (logsumexp(zᵢ) − zᵢ[tᵢ]),  wᵢ = maskᵢ / Σ mask
 *   ∂loss/∂zᵢ = wᵢ (softmax(zᵢ) − onehot(tᵢ))
 * logits [N, V], targets [N] int32, mask [N] float32 → scalar.
 * Autodiff through logSoftmax · onehot kept the [N, V] log-probabilities, a float one-hot and their
 * product for the backward pass; here the forward keeps only the logits and the backward builds
 * softmax and one-hot once, which trains faster at large vocabularies (docs/benchmarks.md).
 */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  if (fusedOn('cross_entropy')) return crossEntropyFused(logits, targets, mask); // WGSL forward and backward
  const V = logits.shape[1];
  const w = mask.div(mask.sum().maximum(1)) as tf.Tensor1D; // [N], a constant for the gradient
  const fused = (z: tf.Tensor, save: tf.GradSaveFunc) => {
    const zmax = z.max(-1, true); // [N, 1]: logsumexp without overflow
    const lse = z.sub(zmax).exp().sum(-1).log().add(zmax.reshape([-1])); // [N]
    const picked = pickTargets(z as tf.Tensor2D, targets);
    save([z, targets, w]); // the tape keeps saved tensors alive until backward; closures would see them disposed
    return {
      value: lse.sub(picked).mul(w).sum() as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, ts, ws] = saved;
        // oneHot straight to float32 is wrong on wasm (tfjs 4.22 writes int bits): build int32, then cast.
        const onehot = tf.oneHot(ts as tf.Tensor1D, V).cast('float32');
        return tf.softmax(zs).sub(onehot).mul(ws.reshape([-1, 1])).mul(dy);
      },
    };
  };
  // tf.customGrad's type wants a variadic function; this one takes the logits only
  return tf.customGrad(fused as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Scalar;
}

/**
 * z[n, t[n]] for each row n. tfjs 4.22's wasm gather crashes with batchDims, so there it picks by
 * flat index n·V + t[n]; the webgpu gather turns index values into f32 and picks wrong ones past 2^24
 * (N·V above 16.8M elements: 700 rows of a 24k vocabulary), so elsewhere it gathers per row.
 */
export function pickTargets(z: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = z.shape;
  if (tf.getBackend() === 'wasm') return tf.gather(z.reshape([N * V]), tf.range(0, N, 1, 'int32').mul(tf.scalar(V, 'int32')).add(targets)) as tf.Tensor1D;
  return tf.gather(z, targets.reshape([N, 1]), 1, 1).reshape([N]) as tf.Tensor1D;
}
