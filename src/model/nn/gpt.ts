import * as tf from '@tensorflow/tfjs';
import { fusedOn, tiledAttentionOn } from '../kernels/select.ts';
import { tiledAttention } from '../kernels/cpu/tiledAttention.ts';
import { layerNormFused, rmsNormFused } from '../kernels/webgpu/norms.ts';
import { dropoutFused } from '../kernels/webgpu/dropout.ts';
import { FLASH_MAX_HEAD_DIM, type FlashLayout, flashAttention } from '../kernels/webgpu/flashAttention.ts';
import { ropeTokensFused, splitHeadsRopeFused } from '../kernels/webgpu/rope.ts';
import { swigluFused } from '../kernels/webgpu/swiglu.ts';
import { disposeTensor, TensorCache } from './tensorCache.ts';
import { paramSpecs } from './gptConfig.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import type { GeluKind } from '../../core/config/schema.ts';
import { applyRope, ropeTables } from './rope.ts';
import { recompute } from './recompute.ts';
import { geluKernel, geluKernelOn } from '../kernels/cpu/geluKernel.ts';

/**
 * A decoder-only pre-norm transformer. The defaults are the Poetru-75M family (RMSNorm, half-split
 * RoPE, grouped-query attention, SwiGLU, tied head, no biases); the config switches each block:
 * norm rms|layer, positions rope|learned, attention mha|gqa|latent, mlp swiglu|gelu (fused gate_up),
 * biases, tied or untied head. Which tensors exist is decided by `paramSpecs` alone; a block uses a
 * bias when the weights hold `<name>.bias`.
 * Reads top to bottom: norms, linear, attention, mlp, block, then the model.
 * Shapes: B batch, T time, C hidden, H query heads, KV key/value heads, g = H/KV, d head dim,
 * L latent width, F MLP width, V vocab.
 */

export type Weights = ReadonlyMap<string, tf.Variable>;

/**
 * RMSNorm over the last axis: x [..., C] · rsqrt(mean(x², -1) + eps) · scale [C].
 * The gradient is written by hand: tfjs's gradient of mean/sum builds a ones tensor of x's full
 * shape in JavaScript and uploads it (on webgpu a staging buffer of B·T·C floats per norm per step,
 * measured as the backward pass's new buffers growing with the batch).
 *   r = rsqrt(mean(x²) + eps),  dx = r·(dy·s) − x·r³·mean(dy·s·x),  ds = Σ_rows dy·x·r
 */
export function rmsNorm(x: tf.Tensor, scale: tf.Tensor, eps: number): tf.Tensor {
  const f = (xi: tf.Tensor, s: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = xi.square().mean(-1, true).add(eps).rsqrt();
    save([xi, s, r]);
    return {
      value: xi.mul(r).mul(s),
      gradFunc: (dy: tf.Tensor, [xs, ss, rs]: tf.Tensor[]) => {
        const ds = dy.mul(ss);
        const dx = ds.mul(rs).sub(xs.mul(rs.pow(3)).mul(ds.mul(xs).mean(-1, true)));
        return [dx, sumRows(dy.mul(xs).mul(rs))];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x, scale);
}

/**
 * LayerNorm over the last axis: (x − mean) · rsqrt(var + eps) · scale (biased variance, as PyTorch).
 * Hand-written gradient for the same reason as rmsNorm's:
 *   x̂ = (x − μ)·r,  g = dy·s,  dx = r·(g − mean(g) − x̂·mean(g·x̂)),  ds = Σ_rows dy·x̂
 */
export function layerNorm(x: tf.Tensor, scale: tf.Tensor, eps: number): tf.Tensor {
  const f = (xi: tf.Tensor, s: tf.Tensor, save: tf.GradSaveFunc) => {
    const centred = xi.sub(xi.mean(-1, true));
    const r = centred.square().mean(-1, true).add(eps).rsqrt();
    const xhat = centred.mul(r);
    save([xhat, s, r]);
    return {
      value: xhat.mul(s),
      gradFunc: (dy: tf.Tensor, [xh, ss, rs]: tf.Tensor[]) => {
        const g = dy.mul(ss);
        const dx = rs.mul(g.sub(g.mean(-1, true)).sub(xh.mul(g.mul(xh).mean(-1, true))));
        return [dx, sumRows(dy.mul(xh))];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x, scale);
}

/** t [..., C] summed over every axis but the last → [C]. */
function sumRows(t: tf.Tensor): tf.Tensor {
  const C = t.shape[t.rank - 1];
  return t.reshape([-1, C]).sum(0);
}

/** The configured norm with scale `w[name]` and, when present, bias `w[name.bias]`. */
export function norm(x: tf.Tensor, w: Weights, name: string, c: GptConfig): tf.Tensor {
  const f = c.norm === 'layer' ? (fusedOn('layernorm') ? layerNormFused : layerNorm) : fusedOn('rmsnorm') ? rmsNormFused : rmsNorm;
  const y = f(x, w.get(name)!, c.normEps);
  const bias = w.get(`${name}.bias`);
  return bias ? y.add(bias) : y;
}

/** x [N, in] · W [in, out] (+ bias [out] when the weights have one) → [N, out]. */
export function linear(x: tf.Tensor2D, w: Weights, name: string): tf.Tensor2D {
  const weight = w.get(name);
  if (!weight) throw new Error(`model weights have no "${name}": they do not match the config`);
  const y = x.matMul(weight as tf.Tensor2D) as tf.Tensor2D;
  const bias = w.get(`${name}.bias`);
  return bias ? (y.add(bias) as tf.Tensor2D) : y;
}

/**
 * GELU. tanh (default): the tanh approximation (GPT-2's `gelu_new`, ggml's GELU); exact: x·Φ(x) =
 * 0.5·x·(1 + erf(x/√2)) (PyTorch nn.GELU(), nanoGPT). The two differ by at most 4.7e-4.
 */
export function gelu(x: tf.Tensor, form: GeluKind = 'tanh'): tf.Tensor {
  if (x.dtype === 'float32' && geluKernelOn()) return geluKernel(x, form); // one kernel each way where the backend has them (wasm with the native runtime)
  if (form === 'exact') return x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5);
  const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(inner.tanh().add(1)).mul(0.5);
}

/** Per-layer attention inputs: q [B, H, T, d], k and v [B, KV, T, d] (layout 'tokens': [B, T, H, d], [B, T, KV, d]), RoPE applied at `offset`. */
export interface Qkv {
  readonly q: tf.Tensor4D;
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
}

/**
 * Projects x [B, T, C] (already normed) to heads. mha/gqa: K, V = x·Wk, x·Wv. latent: z = x·Wdown
 * [B·T, L], then K, V = z·Wk_up, z·Wv_up, so the K/V path costs C·L + 2·L·KV·d weights instead of
 * 2·C·KV·d. RoPE (if on) turns q and k for positions offset..offset+T−1, so a KV cache can feed new
 * tokens at their true positions.
 * Layout 'heads' splits the heads out ([B, n, T, d], a transpose each); 'tokens' keeps the projections'
 * own order ([B, T, n, d], a free reshape), which only flash attention reads, and needs the fused RoPE
 * kernel when RoPE is on (`tokenMajorOk`).
 */
export function projectQkv(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig, offset = 0, layout: FlashLayout = 'heads'): Qkv {
  const [B, T, C] = x.shape;
  const { heads: H, kvHeads: KV, headDim: d } = c;
  const p = `h.${i}.attn.`;
  const x2 = x.reshape([B * T, C]) as tf.Tensor2D;
  const split = (t: tf.Tensor, n: number) =>
    (layout === 'tokens' ? t.reshape([B, T, n, d]) : t.reshape([B, T, n, d]).transpose([0, 2, 1, 3])) as tf.Tensor4D; // [B, T, n, d] or [B, n, T, d]
  let kIn: tf.Tensor2D;
  let vIn: tf.Tensor2D;
  if (c.attention === 'latent') {
    const z = linear(x2, w, `${p}kv_down`); // [B·T, L]
    kIn = linear(z, w, `${p}k_up`);
    vIn = linear(z, w, `${p}v_up`);
  } else {
    kIn = linear(x2, w, `${p}wk`);
    vIn = linear(x2, w, `${p}wv`);
  }
  const qIn = linear(x2, w, `${p}wq`);
  const v = split(vIn, KV);
  if (c.positions !== 'rope') return { q: split(qIn, H), k: split(kIn, KV), v };
  const { cos, sin } = offset === 0 ? ropeTables(T, d, c.ropeTheta) : ropeRows(offset, T, c);
  if (layout === 'tokens') {
    if (!fusedOn('rope')) throw new Error('projectQkv: the token-major layout needs the fused rope kernel (webgpu, kernels incl. rope)');
    return { q: ropeTokensFused(qIn, B, H, cos, sin, c.ropeStyle), k: ropeTokensFused(kIn, B, KV, cos, sin, c.ropeStyle), v };
  }
  if (fusedOn('rope')) {
    // WebGPU: split heads and rotate in one kernel (and merge + rotate back in the gradient)
    return { q: splitHeadsRopeFused(qIn, B, H, cos, sin, c.ropeStyle), k: splitHeadsRopeFused(kIn, B, KV, cos, sin, c.ropeStyle), v };
  }
  return { q: applyRope(split(qIn, H), cos, sin, c.ropeStyle) as tf.Tensor4D, k: applyRope(split(kIn, KV), cos, sin, c.ropeStyle) as tf.Tensor4D, v };
}

/** Rows offset..offset+T−1 of the context-long RoPE tables (one cached table, sliced: no table per offset). */
function ropeRows(offset: number, T: number, c: GptConfig): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const full = ropeTables(Math.max(c.context, offset + T), c.headDim, c.ropeTheta);
  return { cos: full.cos.slice([offset, 0], [T, -1]), sin: full.sin.slice([offset, 0], [T, -1]) };
}

/**
 * Scaled dot-product attention of q [B, H, Tq, d] over k, v [B, KV, Tk, d] (Tk ≥ Tq; the queries are
 * the last Tq of the Tk positions), then the output projection → [B, Tq, C]. `mask` [g·Tq, Tk] is
 * additive; null when every key is visible (one new token over a cache).
 */
export function attend(qkv: Qkv, mask: tf.Tensor2D | null, w: Weights, i: number, c: GptConfig): tf.Tensor3D {
  return outProject(attentionHeads(qkv.q, qkv.k, qkv.v, mask), w, i, c);
}

/**
 * softmax(q·kᵀ/√d + mask)·v with the stock ops: q [B, H, Tq, d], k and v [B, KV, Tk, d] → [B, H, Tq, d].
 * Folds the g = H/KV query heads of a group into rows instead of copying K/V g times (a rank-5 tile
 * falls back to the CPU on webgpu): q → [B, KV, g·Tq, d], scores [B, KV, g·Tq, Tk].
 */
export function attentionHeads(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor2D | null): tf.Tensor4D {
  const [B, H, Tq, d] = q.shape;
  const KV = k.shape[1];
  const g = H / KV;
  const qg = q.reshape([B, KV, g * Tq, d]);
  const scores = qg.matMul(k, false, true).mul(1 / Math.sqrt(d));
  const probs = (mask ? scores.add(mask) : scores).softmax();
  return probs.matMul(v).reshape([B, H, Tq, d]) as tf.Tensor4D;
}

/** Heads o [B, H, T, d] (layout 'tokens': [B, T, H, d]) → merged [B·T, H·d] → output projection → [B, T, C]. */
function outProject(o: tf.Tensor4D, w: Weights, i: number, c: GptConfig, layout: FlashLayout = 'heads'): tf.Tensor3D {
  const B = o.shape[0];
  const T = o.shape[layout === 'heads' ? 2 : 1];
  const merged = (layout === 'heads' ? o.transpose([0, 2, 1, 3]) : o).reshape([B * T, c.heads * c.headDim]) as tf.Tensor2D;
  return linear(merged, w, `h.${i}.attn.wo`).reshape([B, T, c.hidden]);
}

/** True when attention can run token-major: flash on and, with RoPE, the fused rope kernel too. */
function tokenMajorOk(c: GptConfig): boolean {
  return c.positions !== 'rope' || fusedOn('rope');
}

/** Causal attention. x [B, T, C] (already normed) → [B, T, C]. */
export function attention(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig): tf.Tensor3D {
  const T = x.shape[1];
  // WebGPU: flash-style fused kernels, no [T, T] scores in memory; token-major heads, no transposes
  if (fusedOn('attention') && c.headDim <= FLASH_MAX_HEAD_DIM) {
    const layout: FlashLayout = tokenMajorOk(c) ? 'tokens' : 'heads';
    const qkv = projectQkv(x, w, i, c, 0, layout);
    return outProject(flashAttention(qkv.q, qkv.k, qkv.v, layout), w, i, c, layout);
  }
  // wasm, cpu: query blocks over the keys each can see, no [T, T] scores either
  if (tiledAttentionOn(T)) {
    const qkv = projectQkv(x, w, i, c);
    return outProject(tiledAttention(qkv.q, qkv.k, qkv.v), w, i, c);
  }
  return attend(projectQkv(x, w, i, c), causalMask(T, c.heads / c.kvHeads), w, i, c);
}

/**
 * MLP. x [B, T, C] → [B, T, C].
 * swiglu: down(silu(x·Wg) ⊙ x·Wu), with Wg|Wu as one [C, 2F] gate_up matrix when fused (gate first).
 * gelu: down(gelu(x·Wu)), GELU in the form `c.gelu` names.
 */
export function mlp(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const p = `h.${i}.mlp.`;
  const x2 = x.reshape([B * T, C]) as tf.Tensor2D;
  let act: tf.Tensor; // [B·T, F]
  if (c.mlp === 'gelu') {
    act = gelu(linear(x2, w, `${p}up`), c.gelu);
  } else if (fusedOn('swiglu')) {
    // WebGPU: one kernel from gate|up; separate gate and up weights are joined first (a weight-sized
    // copy, which also makes the two projections one matmul)
    act = swigluFused(c.fusedGateUp ? linear(x2, w, `${p}gate_up`) : gateUpJoined(x2, w, p));
  } else {
    const [gate, up] = c.fusedGateUp ? tf.split(linear(x2, w, `${p}gate_up`), 2, -1) : [linear(x2, w, `${p}gate`), linear(x2, w, `${p}up`)];
    act = gate.mul(gate.sigmoid()).mul(up); // silu(gate) · up
  }
  return linear(act as tf.Tensor2D, w, `${p}down`).reshape([B, T, C]);
}

/** x [N, C] · [Wgate | Wup] (+ [bgate | bup]) → [N, 2F]: separate gate and up weights as one projection. */
function gateUpJoined(x: tf.Tensor2D, w: Weights, p: string): tf.Tensor2D {
  const [g, u] = [w.get(`${p}gate`), w.get(`${p}up`)];
  if (!g || !u) throw new Error(`model weights have no "${p}gate"/"${p}up": they do not match the config`);
  const y = x.matMul(tf.concat([g, u], 1) as tf.Tensor2D) as tf.Tensor2D;
  const [bg, bu] = [w.get(`${p}gate.bias`), w.get(`${p}up.bias`)];
  return bg && bu ? (y.add(tf.concat([bg, bu])) as tf.Tensor2D) : y;
}

export interface ForwardOptions {
  /** Dropout on; needs a seed so a step is reproducible. */
  readonly training?: boolean;
  readonly seed?: number;
}

/** Pre-norm block: x + attn(norm(x)); x + mlp(norm(x)). */
export function block(x: tf.Tensor3D, w: Weights, i: number, c: GptConfig, drop: (t: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D {
  const a = attention(norm(x, w, `h.${i}.attn_norm`, c) as tf.Tensor3D, w, i, c);
  const x1 = x.add(drop(a)) as tf.Tensor3D;
  const m = mlp(norm(x1, w, `h.${i}.mlp_norm`, c) as tf.Tensor3D, w, i, c);
  return x1.add(drop(m)) as tf.Tensor3D;
}

/** Final hidden states [B, T, C] for token ids idx [B, T]. */
export function hiddenStates(idx: tf.Tensor2D, w: Weights, c: GptConfig, opts: ForwardOptions = {}): tf.Tensor3D {
  let n = 0;
  const rate = opts.training ? c.dropout : 0;
  const gpuMasks = fusedOn('dropout'); // masks hashed on the GPU instead of drawn in JavaScript
  const drop = (t: tf.Tensor3D): tf.Tensor3D => {
    if (rate <= 0) return t;
    const seed = (opts.seed ?? 0) + n++;
    return gpuMasks ? dropoutFused(t, rate, seed) : (tf.dropout(t, rate, undefined, seed) as tf.Tensor3D);
  };
  const T = idx.shape[1];
  let x = tf.gather(w.get('wte')!, idx) as tf.Tensor3D; // [B, T, C]
  if (c.positions === 'learned') {
    if (T > c.context) throw new Error(`sequence of ${T} tokens is longer than the learned position table (context ${c.context})`);
    x = x.add(w.get('wpe')!.slice([0, 0], [T, c.hidden])); // + wpe[0..T) [T, C]
  }
  x = drop(x);
  const recomputing = blockRecompute && (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu');
  for (let i = 0; i < c.layers; i++) {
    if (!recomputing || i >= recomputedLayers) {
      x = block(x, w, i, c, drop);
      continue;
    }
    // the block's dropout seeds, fixed so that the recomputation draws the same masks
    const first = n;
    n += 2;
    const names = layerParamNames(w, i);
    x = recompute<tf.Tensor3D>(
      (xi, ps) => {
        let k = first;
        const own: Weights = new Map(names.map((name, j) => [name, ps[j] as tf.Variable]));
        return block(xi, own, i, c, (t) => (rate > 0 ? (tf.dropout(t, rate, undefined, (opts.seed ?? 0) + k++) as tf.Tensor3D) : t));
      },
      x,
      names.map((name) => w.get(name)!),
    );
  }
  return norm(x, w, 'norm_f', c) as tf.Tensor3D;
}

/** The weights of layer i (`h.<i>.` names), in the map's order. */
function layerParamNames(w: Weights, i: number): string[] {
  const prefix = `h.${i}.`;
  return [...w.keys()].filter((name) => name.startsWith(prefix));
}

let blockRecompute = true;
let recomputedLayers = Infinity;

/**
 * On the CPU backends (wasm, cpu) each transformer block runs under `recompute` (activation
 * checkpointing: the backward recomputes one block at a time instead of tfjs keeping every
 * activation and gradient temporary of the whole model; see recompute.ts). On by default; off only
 * to compare against the plain tape. Returns the previous setting.
 */
export function useBlockRecompute(on: boolean): boolean {
  const was = blockRecompute;
  blockRecompute = on;
  return was;
}

/**
 * How many blocks, from the first, run under `recompute` on the CPU backends (Infinity: all, the
 * default; 0: none). Recomputing costs a second forward of the block (≈+20% a step); keeping a
 * block's activations costs memory: a training run sets the fewest its memory plan allows
 * (nn/recomputePlan.ts). Returns the previous setting.
 */
export function recomputeLayers(k: number): number {
  const was = recomputedLayers;
  recomputedLayers = k;
  return was;
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

/**
 * Creates the model's variables, seeded: normal(0, std) matrices and embeddings (std from the
 * spec: init_std, residual outputs optionally scaled), unit norm scales, zero biases.
 */
export function initWeights(c: GptConfig, seed: number): Map<string, tf.Variable> {
  const w = new Map<string, tf.Variable>();
  paramSpecs(c).forEach((s, k) => {
    const shape = [...s.shape];
    const t =
      s.init === 'normal' ? tf.randomNormal(shape, 0, s.std ?? c.initStd, 'float32', seed + k) : s.init === 'ones' ? tf.ones(shape) : tf.zeros(shape);
    w.set(s.name, tf.variable(t, true)); // tfjs variable names are process-global: keep its unique auto name
    t.dispose();
  });
  return w;
}

export function disposeWeights(w: Weights): void {
  for (const v of w.values()) v.dispose();
}

// one forward pass uses one mask; 8 covers train, eval and a few generation lengths
const masks = new TensorCache<tf.Tensor2D>(8, disposeTensor);

/** Additive causal mask [g·T, T]: row r is position r mod T; 0 where col ≤ pos, -1e9 after. Cached. */
export function causalMask(T: number, g: number): tf.Tensor2D {
  return masks.get(`${tf.getBackend()}:${T}:${g}`, () => {
    const vals = new Float32Array(g * T * T);
    for (let r = 0; r < g * T; r++) for (let col = (r % T) + 1; col < T; col++) vals[r * T + col] = -1e9;
    return tf.keep(tf.tensor2d(vals, [g * T, T]));
  });
}
