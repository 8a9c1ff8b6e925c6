import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../../../src/model/nn/gpt.ts';
import type { GptConfig } from '../../../src/core/config/gptConfig.ts';

/**
 * An independent float64 reference of the GPT in plain JavaScript: loops over positions and heads,
 * no tfjs, no shared code with src/model beyond the config and the parameter names. Used to check
 * the tfjs forward pass and (by central differences in float64) its gradients.
 * Weights: name → row-major Float64Array, matrices [in, out] as in paramSpecs.
 */
export type Ref = Map<string, Float64Array>;

/** Copies tfjs variables into float64 arrays. */
export function toRef(w: Weights): Ref {
  const r: Ref = new Map();
  for (const [name, v] of w) r.set(name, Float64Array.from(v.dataSync()));
  return r;
}

/** Overwrites every variable with N(0, std) values (norm scales 1 + N(0, std)), so biases and norms matter. */
export function randomizeWeights(w: Weights, seed: number, std: number): void {
  let k = 0;
  for (const [name, v] of w) {
    tf.tidy(() => {
      const noise = tf.randomNormal(v.shape, 0, std, 'float32', seed + k++);
      const isScale = v.rank === 1 && !name.endsWith('.bias');
      v.assign(isScale ? noise.add(1) : noise);
    });
  }
}

type Vec = Float64Array;

/** x [C] · W [in=C, out] (+ b) → [out]. */
function lin(x: Vec, r: Ref, name: string): Vec {
  const W = r.get(name)!;
  const out = x.length;
  const n = W.length / out;
  const y = new Float64Array(n);
  const b = r.get(`${name}.bias`);
  for (let j = 0; j < n; j++) {
    let s = b ? b[j] : 0;
    for (let i = 0; i < out; i++) s += x[i] * W[i * n + j];
    y[j] = s;
  }
  return y;
}

function normRef(x: Vec, r: Ref, name: string, c: GptConfig): Vec {
  const C = x.length;
  const scale = r.get(name)!;
  const bias = r.get(`${name}.bias`);
  let mean = 0;
  if (c.norm === 'layer') for (let i = 0; i < C; i++) mean += x[i] / C;
  let ms = 0;
  for (let i = 0; i < C; i++) ms += (x[i] - mean) ** 2 / C;
  const inv = 1 / Math.sqrt(ms + c.normEps);
  return x.map((v, i) => (v - mean) * inv * scale[i] + (bias ? bias[i] : 0));
}

/** Rotates one head vector v [d] at position pos, closed form. */
export function ropeRef(v: Vec, pos: number, theta: number, style: 'half' | 'interleaved'): Vec {
  const d = v.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d / 2; i++) {
    const [ia, ib] = style === 'half' ? [i, i + d / 2] : [2 * i, 2 * i + 1];
    const angle = pos * Math.pow(theta, (-2 * i) / d);
    out[ia] = v[ia] * Math.cos(angle) - v[ib] * Math.sin(angle);
    out[ib] = v[ib] * Math.cos(angle) + v[ia] * Math.sin(angle);
  }
  return out;
}

const geluTanhRef = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/**
 * erf in float64: the Maclaurin series below |x| = 3 (terms peak near e^9, so ~1e-12 absolute error),
 * 1 − erfc from its continued fraction above (60 terms, converged to rounding for |x| ≥ 3).
 */
export function erfRef(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = a;
  for (let n = 60; n >= 1; n--) k = a + n / 2 / k;
  const erfc = Math.exp(-a * a) / (Math.sqrt(Math.PI) * k);
  return Math.sign(x) * (1 - erfc);
}

const geluExactRef = (x: number): number => 0.5 * x * (1 + erfRef(x / Math.SQRT2));
const siluRef = (x: number): number => x / (1 + Math.exp(-x));

/** Logits [T][V] of one sequence. */
export function forwardRef(ids: readonly number[], r: Ref, c: GptConfig): Vec[] {
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, layers, vocabSize: V } = c;
  const g = H / KV;
  const T = ids.length;
  const wte = r.get('wte')!;
  let x: Vec[] = ids.map((id, t) => {
    const row = wte.slice(id * C, (id + 1) * C);
    if (c.positions === 'learned') for (let i = 0; i < C; i++) row[i] += r.get('wpe')![t * C + i];
    return row;
  });
  const head = (v: Vec, h: number): Vec => v.slice(h * d, (h + 1) * d);
  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    const hN = x.map((v) => normRef(v, r, `${p}attn_norm`, c));
    const q = hN.map((v) => lin(v, r, `${p}attn.wq`));
    const lat = c.attention === 'latent' ? hN.map((v) => lin(v, r, `${p}attn.kv_down`)) : hN;
    const k = lat.map((v) => lin(v, r, c.attention === 'latent' ? `${p}attn.k_up` : `${p}attn.wk`));
    const val = lat.map((v) => lin(v, r, c.attention === 'latent' ? `${p}attn.v_up` : `${p}attn.wv`));
    const o: Vec[] = Array.from({ length: T }, () => new Float64Array(H * d));
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / g);
      const rot = (v: Vec, t: number) => (c.positions === 'rope' ? ropeRef(v, t, c.ropeTheta, c.ropeStyle) : v);
      const qs = q.map((v, t) => rot(head(v, h), t));
      const ks = k.map((v, t) => rot(head(v, kvh), t));
      for (let t = 0; t < T; t++) {
        const s = Array.from({ length: t + 1 }, (_, u) => qs[t].reduce((a, qi, i) => a + qi * ks[u][i], 0) / Math.sqrt(d));
        const m = Math.max(...s);
        const e = s.map((z) => Math.exp(z - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let u = 0; u <= t; u++) for (let i = 0; i < d; i++) o[t][h * d + i] += (e[u] / z) * val[u][kvh * d + i];
      }
    }
    x = x.map((v, t) => {
      const a = lin(o[t], r, `${p}attn.wo`);
      return v.map((xi, i) => xi + a[i]);
    });
    x = x.map((v) => {
      const hm = normRef(v, r, `${p}mlp_norm`, c);
      let act: Vec;
      if (c.mlp === 'gelu') act = lin(hm, r, `${p}mlp.up`).map(c.gelu === 'exact' ? geluExactRef : geluTanhRef);
      else {
        const F = c.ffn;
        const gu = c.fusedGateUp ? lin(hm, r, `${p}mlp.gate_up`) : null;
        const gate = gu ? gu.slice(0, F) : lin(hm, r, `${p}mlp.gate`);
        const up = gu ? gu.slice(F) : lin(hm, r, `${p}mlp.up`);
        act = gate.map((gi, i) => siluRef(gi) * up[i]);
      }
      const m = lin(act, r, `${p}mlp.down`);
      return v.map((xi, i) => xi + m[i]);
    });
  }
  return x.map((v) => {
    const hF = normRef(v, r, 'norm_f', c);
    if (!c.tied) return lin(hF, r, 'lm_head');
    const logits = new Float64Array(V);
    for (let j = 0; j < V; j++) for (let i = 0; i < C; i++) logits[j] += hF[i] * wte[j * C + i];
    return logits;
  });
}

/** Mean next-token cross-entropy over all positions of all rows (mask all ones). */
export function lossRef(xs: readonly (readonly number[])[], ys: readonly (readonly number[])[], r: Ref, c: GptConfig): number {
  let total = 0;
  let n = 0;
  xs.forEach((ids, b) => {
    forwardRef(ids, r, c).forEach((logits, t) => {
      const m = Math.max(...logits);
      const lse = m + Math.log(logits.reduce((a, z) => a + Math.exp(z - m), 0));
      total += lse - logits[ys[b][t]];
      n++;
    });
  });
  return total / n;
}
