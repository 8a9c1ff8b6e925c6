import * as tf from '@tensorflow/tfjs';

/**
 * Rotary position embedding, half-split form (GPT-NeoX / Llama / Poetru): dimension i pairs with
 * i + d/2 and rotates by angle pos · θ^(−2i/d):
 *   [x1·cos − x2·sin, x2·cos + x1·sin].
 */

const tables = new Map<string, { cos: tf.Tensor2D; sin: tf.Tensor2D }>();

/** cos and sin tables [T, d/2] for positions offset..offset+T−1. Cached per backend and shape. */
export function ropeTables(T: number, d: number, theta: number, offset = 0): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const key = `${tf.getBackend()}:${T}:${d}:${theta}:${offset}`;
  let t = tables.get(key);
  if (!t) {
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
    t = { cos: tf.keep(tf.tensor2d(cos, [T, half])), sin: tf.keep(tf.tensor2d(sin, [T, half])) };
    tables.set(key, t);
  }
  return t;
}

/** x [B, n, T, d] rotated by position; cos/sin [T, d/2] broadcast over B and n. */
export function applyRope(x: tf.Tensor, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const [x1, x2] = tf.split(x, [d / 2, d / 2], -1);
  return tf.concat([x1.mul(cos).sub(x2.mul(sin)), x2.mul(cos).add(x1.mul(sin))], -1);
}
