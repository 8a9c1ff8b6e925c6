import type { RopeStyle } from '../../core/config/schema.ts';
import * as tf from '@tensorflow/tfjs';
import { TensorCache } from './tensorCache.ts';

/*
 * Rotary position embedding. Pair i (0 ≤ i < d/2) turns by the angle pos · θ^(−2i/d):
 *   (a, b) → (a·cos − b·sin, b·cos + a·sin).
 * Two ways to pick the pairs (RopeStyle), same maths:
 * - half (GPT-NeoX / Llama / Poetru): a = x[i], b = x[i + d/2];
 * - interleaved (GPT-J / RoFormer): a = x[2i], b = x[2i + 1].
 * q·k after rotation depends on positions only through their difference.
 */

// a forward pass uses one table; 16 covers train, eval and generation lengths without growing forever
const tables = new TensorCache<{ cos: tf.Tensor2D; sin: tf.Tensor2D }>(16, (t) => {
  t.cos.dispose();
  t.sin.dispose();
});

/** cos and sin tables [T, d/2] for positions offset..offset+T−1. Cached per backend and shape. */
export function ropeTables(T: number, d: number, theta: number, offset = 0): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  return tables.get(`${tf.getBackend()}:${T}:${d}:${theta}:${offset}`, () => {
    const half = d / 2;
    const cos = new Float32Array(T * half);
    const sin = new Float32Array(T * half);
    for (let p = 0; p < T; p++) {
      for (let i = 0; i < half; i++) {
        const angle = (p + offset) * Math.pow(theta, (-2 * i) / d);
        cos[p * half + i] = Math.cos(angle);
        sin[p * half + i] = Math.sin(angle);
      }
    }
    return { cos: tf.keep(tf.tensor2d(cos, [T, half])), sin: tf.keep(tf.tensor2d(sin, [T, half])) };
  });
}

/** x [B, n, T, d] rotated by position; cos/sin [T, d/2] broadcast over B and n. */
export function applyRope(x: tf.Tensor, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle = 'half'): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (style === 'half') {
    const [x1, x2] = tf.split(x, [d / 2, d / 2], -1);
    return tf.concat([x1.mul(cos).sub(x2.mul(sin)), x2.mul(cos).add(x1.mul(sin))], -1);
  }
  // interleaved: view the last axis as [d/2, 2] (rank 5 at most) and rotate (even, odd) pairs.
  const shape = x.shape;
  const T = shape[x.rank - 2];
  const pairs = x.reshape([-1, T, d / 2, 2]); // [B·n, T, d/2, 2]
  const [a, b] = tf.split(pairs, 2, -1).map((t) => t.reshape([-1, T, d / 2])); // [B·n, T, d/2]
  const out = tf.stack([a.mul(cos).sub(b.mul(sin)), b.mul(cos).add(a.mul(sin))], -1); // [B·n, T, d/2, 2]
  return out.reshape(shape);
}
