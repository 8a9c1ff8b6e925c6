import * as tf from '@tensorflow/tfjs';
import { attend, causalMask, mlp, norm, projectQkv, type Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';

/**
 * Keys and values of every layer for the positions seen so far, so that a new token costs one
 * forward pass of length 1 attending over t cached positions (O(t) per layer) instead of a full
 * pass over the window (O(t²)).
 *
 * What is cached: K (after RoPE) and V, [B, KV, t, d] per layer, for every attention kind. For
 * latent attention this is the expanded K/V, not the latent z [B, t, L]: RoPE turns each head's K
 * after the up-projection, so caching z would redo the up-projection (2·L·KV·d per position) and
 * the rotation over all t positions at every step. Memory per position and layer: 2·KV·d floats
 * (Poetru-75M: 2·4·80 = 640, the same as its latent width L = 640, so nothing is lost).
 *
 * Positions: the cache length is the position offset of the next token (RoPE angle, or the wpe
 * row for learned positions). At most `context` positions fit; the generator slides (see
 * `slideWindow`). Owns its tensors: call `dispose()` (or `clear()`) when done.
 */
export class KvCache {
  private readonly k: (tf.Tensor4D | null)[];
  private readonly v: (tf.Tensor4D | null)[];
  /** Tied models: wteᵀ [C, V], made once per cache (see `headMatrix`). */
  private headT: tf.Tensor2D | null = null;
  /** Positions held (= the position of the next token fed). */
  length = 0;

  constructor(readonly config: GptConfig) {
    this.k = new Array(config.layers).fill(null);
    this.v = new Array(config.layers).fill(null);
  }

  /** Appends new k, v [B, KV, Tn, d] to layer i; returns the whole [B, KV, t + Tn, d] (kept, owned by the cache). */
  extend(i: number, k: tf.Tensor4D, v: tf.Tensor4D): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const join = (old: tf.Tensor4D | null, t: tf.Tensor4D): tf.Tensor4D => {
      const all = old ? (tf.concat([old, t], 2) as tf.Tensor4D) : t.clone();
      old?.dispose();
      return tf.keep(all);
    };
    this.k[i] = join(this.k[i], k);
    this.v[i] = join(this.v[i], v);
    return { k: this.k[i]!, v: this.v[i]! };
  }

  /** Forgets every position (frees the tensors); the cache can be filled again. */
  clear(): void {
    for (const t of [...this.k, ...this.v]) t?.dispose();
    this.k.fill(null);
    this.v.fill(null);
    this.length = 0;
  }

  /**
   * The output matrix [C, V]: lm_head, or for a tied model a transposed copy of wte made on first
   * use and kept for the cache's life. Why: tfjs-wasm's matMul with transposeB copies the whole
   * [V, C] matrix on every call, which dominated a generation step at V = 32,000 (minitron-48m;
   * figures in docs/benchmarks.md#figures-behind-source-comments). Costs V·C floats while
   * generating; the copy is made per generation so weights updated between generations (training
   * samples) are seen.
   */
  headMatrix(w: Weights): tf.Tensor2D {
    if (!this.config.tied) return w.get('lm_head')! as tf.Tensor2D;
    this.headT ??= tf.keep(tf.transpose(w.get('wte')!) as tf.Tensor2D);
    return this.headT;
  }

  /** Frees the K/V tensors and the head copy. */
  dispose(): void {
    this.clear();
    this.headT?.dispose();
    this.headT = null;
  }
}

/**
 * Feeds token ids idx [B, Tn] at positions cache.length.. and returns the logits of the last one,
 * [B, V]; the cache grows by Tn. Same blocks as `forward` (no dropout): with an empty cache it
 * computes what `forward` computes for the last position (up to float round-off: the tied head multiplies by a transposed copy of wte).
 * Cost: Tn·(params) + attention over cache.length + Tn keys; the head runs on one position only.
 * @throws RangeError when the positions would pass the context.
 */
export function feedCached(idx: tf.Tensor2D, w: Weights, c: GptConfig, cache: KvCache): tf.Tensor2D {
  const [B, Tn] = idx.shape;
  const P = cache.length;
  if (P + Tn > c.context) throw new RangeError(`KV cache: ${P} cached + ${Tn} new positions exceed the context of ${c.context}; slide the window first`);
  const g = c.heads / c.kvHeads;
  const logits = tf.tidy(() => {
    let x = tf.gather(w.get('wte')!, idx) as tf.Tensor3D; // [B, Tn, C]
    if (c.positions === 'learned') x = x.add(w.get('wpe')!.slice([P, 0], [Tn, c.hidden])); // + wpe[P..P+Tn)
    const mask = Tn === 1 ? null : P === 0 ? causalMask(Tn, g) : offsetCausalMask(Tn, P, g);
    for (let i = 0; i < c.layers; i++) {
      const qkv = projectQkv(norm(x, w, `h.${i}.attn_norm`, c) as tf.Tensor3D, w, i, c, P);
      const kv = cache.extend(i, qkv.k, qkv.v); // [B, KV, P + Tn, d]
      const x1 = x.add(attend({ q: qkv.q, k: kv.k, v: kv.v }, mask, w, i, c)) as tf.Tensor3D;
      x = x1.add(mlp(norm(x1, w, `h.${i}.mlp_norm`, c) as tf.Tensor3D, w, i, c)) as tf.Tensor3D;
    }
    const last = x.slice([0, Tn - 1, 0], [B, 1, c.hidden]).reshape([B, c.hidden]) as tf.Tensor2D;
    return (norm(last, w, 'norm_f', c) as tf.Tensor2D).matMul(cache.headMatrix(w)) as tf.Tensor2D; // [B, V]
  });
  cache.length = P + Tn;
  return logits;
}

/** Additive mask [g·Tn, P + Tn] for Tn new queries after P cached keys: row r sees keys ≤ P + (r mod Tn). Not cached (rare: chunked prefill). */
function offsetCausalMask(Tn: number, P: number, g: number): tf.Tensor2D {
  const cols = P + Tn;
  const vals = new Float32Array(g * Tn * cols);
  for (let r = 0; r < g * Tn; r++) for (let col = P + (r % Tn) + 1; col < cols; col++) vals[r * cols + col] = -1e9;
  return tf.tensor2d(vals, [g * Tn, cols]);
}

export { slideKeep } from './slideKeep.ts';
