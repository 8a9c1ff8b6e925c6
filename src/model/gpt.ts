import * as tf from '@tensorflow/tfjs';
import { type GptConfig, paramSpecs } from './gptConfig.ts';
import { applyRope, ropeTables } from './rope.ts';

/**
 * A decoder-only transformer of the Poetru-75M family: pre-norm blocks with RMSNorm, rotary
 * positions (half-split), grouped-query attention, a SwiGLU MLP, and a head tied to the embedding.
 * Reads top to bottom: norm, attention, mlp, block, then the model.
 * Shapes: B batch, T time, C hidden, H query heads, KV key/value heads, g = H/KV, d head dim, V vocab.
 */

export type Weights = ReadonlyMap<string, tf.Variable>;

export function rmsNorm(x: tf.Tensor, scale: tf.Tensor, eps: number): tf.Tensor {
  // x [..., C] · rsqrt(mean(x², -1) + eps) · scale [C]
  const ms = x.square().mean(-1, true);
  return x.mul(ms.add(eps).rsqrt()).mul(scale);
}

/** Causal multi-head attention with GQA. x [B, T, C] (already normed) → [B, T, C]. */
export function attention(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const { heads: H, kvHeads: KV, headDim: d } = c;
  const g = H / KV;
  const x2 = x.reshape([B * T, C]);
  const split = (t: tf.Tensor, n: number) => t.reshape([B, T, n, d]).transpose([0, 2, 1, 3]); // [B, n, T, d]
  const { cos, sin } = ropeTables(T, d, c.ropeTheta);
  const q = applyRope(split(x2.matMul(w.get(`h.${i}.attn.wq`)!), H), cos, sin);
  const k = applyRope(split(x2.matMul(w.get(`h.${i}.attn.wk`)!), KV), cos, sin);
  const v = split(x2.matMul(w.get(`h.${i}.attn.wv`)!), KV);
  // Fold the g query heads of a group into rows instead of copying K/V g times (a rank-5 tile
  // falls back to the CPU on webgpu): q [B, H, T, d] → [B, KV, g·T, d].
  const qg = q.reshape([B, KV, g * T, d]);
  const scores = qg.matMul(k, false, true).mul(1 / Math.sqrt(d)); // [B, KV, g·T, T]
  const p = scores.add(causalMask(T, g)).softmax(); // [B, KV, g·T, T]
  const o = p.matMul(v); // [B, KV, g·T, d]
  const merged = o.reshape([B, H, T, d]).transpose([0, 2, 1, 3]).reshape([B * T, H * d]);
  return merged.matMul(w.get(`h.${i}.attn.wo`)!).reshape([B, T, C]);
}

/** SwiGLU MLP: down(silu(x·Wg) ⊙ x·Wu). x [B, T, C] → [B, T, C]. */
export function mlp(x: tf.Tensor3D, w: Weights, i: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const x2 = x.reshape([B * T, C]);
  const gate = x2.matMul(w.get(`h.${i}.mlp.gate`)!);
  const up = x2.matMul(w.get(`h.${i}.mlp.up`)!);
  const act = gate.mul(gate.sigmoid()).mul(up); // silu(gate) · up  [B·T, F]
  return act.matMul(w.get(`h.${i}.mlp.down`)!).reshape([B, T, C]);
}

export interface ForwardOptions {
  /** Dropout on; needs a seed so a step is reproducible. */
  readonly training?: boolean;
  readonly seed?: number;
}

/** Pre-norm block: x + attn(norm(x)); x + mlp(norm(x)). */
export function block(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig, drop: (t: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D {
  const a = attention(rmsNorm(x, w.get(`h.${i}.attn_norm`)!, c.normEps) as tf.Tensor3D, w, i, c);
  const x1 = x.add(drop(a)) as tf.Tensor3D;
  const m = mlp(rmsNorm(x1, w.get(`h.${i}.mlp_norm`)!, c.normEps) as tf.Tensor3D, w, i);
  return x1.add(drop(m)) as tf.Tensor3D;
}

/** Final hidden states [B, T, C] for token ids idx [B, T]. */
export function hiddenStates(idx: tf.Tensor2D, w: Weights, c: GptConfig, opts: ForwardOptions = {}): tf.Tensor3D {
  let n = 0;
  const rate = opts.training ? c.dropout : 0;
  const drop = (t: tf.Tensor3D): tf.Tensor3D => (rate > 0 ? (tf.dropout(t, rate, undefined, (opts.seed ?? 0) + n++) as tf.Tensor3D) : t);
  let x = drop(tf.gather(w.get('wte')!, idx) as tf.Tensor3D); // [B, T, C]
  for (let i = 0; i < c.layers; i++) x = block(x, w, i, c, drop);
  return rmsNorm(x, w.get('norm_f')!, c.normEps) as tf.Tensor3D;
}

/** Output projection: h [N, C] → logits [N, V] (tied: h · wteᵀ). */
export function head(h: tf.Tensor2D, w: Weights, c: GptConfig): tf.Tensor2D {
  return (c.tied ? h.matMul(w.get('wte')!, false, true) : h.matMul(w.get('lm_head')!)) as tf.Tensor2D;
}

/** Logits [B, T, V]. */
export function forward(idx: tf.Tensor2D, w: Weights, c: GptConfig, opts: ForwardOptions = {}): tf.Tensor3D {
  const [B, T] = idx.shape;
  const h = hiddenStates(idx, w, c, opts).reshape([B * T, c.hidden]) as tf.Tensor2D;
  return head(h, w, c).reshape([B, T, c.vocabSize]);
}

/** Creates the model's variables, seeded: normal(0, init_std) matrices, unit norm scales. */
export function initWeights(c: GptConfig, seed: number): Map<string, tf.Variable> {
  const w = new Map<string, tf.Variable>();
  paramSpecs(c).forEach((s, k) => {
    const shape = [...s.shape];
    const t =
      s.init === 'normal' ? tf.randomNormal(shape, 0, c.initStd, 'float32', seed + k) : s.init === 'ones' ? tf.ones(shape) : tf.zeros(shape);
    w.set(s.name, tf.variable(t, true)); // tfjs variable names are process-global: keep its unique auto name
    t.dispose();
  });
  return w;
}

export function disposeWeights(w: Weights): void {
  for (const v of w.values()) v.dispose();
}

const masks = new Map<string, tf.Tensor2D>();

/** Additive causal mask [g·T, T]: row r is position r mod T; 0 where col ≤ pos, -1e9 after. Cached. */
export function causalMask(T: number, g: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${T}:${g}`;
  let m = masks.get(key);
  if (!m) {
    const vals = new Float32Array(g * T * T);
    for (let r = 0; r < g * T; r++) for (let col = (r % T) + 1; col < T; col++) vals[r * T + col] = -1e9;
    m = tf.keep(tf.tensor2d(vals, [g * T, T]));
    masks.set(key, m);
  }
  return m;
}
