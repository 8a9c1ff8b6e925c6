import type { NamedArray } from '../../../../src/model/formats/safetensors.ts';
import { erfRef } from '../../nn/ref64.ts';

/**
 * An independent float64 forward pass of an exported Transformers state dict, written from
 * Transformers' definitions (not from Versiflow's code): LlamaForCausalLM (nn.Linear y = x·Wᵀ + b,
 * RMSNorm, rotate_half RoPE, repeat_kv GQA, SwiGLU) and GPT2LMHeadModel (Conv1D y = x·W + b, c_attn
 * q|k|v, LayerNorm with bias, learned positions, gelu_new). So a layout mistake that an export and
 * its import would undo together still shows here. Logits [T][V].
 */
export function hfForward64(cfg: Record<string, any>, tensors: readonly NamedArray[], ids: readonly number[]): Float64Array[] {
  const w = new Map(tensors.map((t) => [t.name, { shape: t.shape, data: Float64Array.from(t.data) }]));
  const W = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: no tensor ${n}`);
    return t;
  };
  return cfg.model_type === 'llama' ? llama(cfg, W, w, ids) : gpt2(cfg, W, w, ids);
}

type Get = (n: string) => { shape: readonly number[]; data: Float64Array };
type Vec = Float64Array;

/** nn.Linear: W [out, in], y = W·x + b. */
function linearT(x: Vec, W: Get, name: string, bias: boolean): Vec {
  const { shape: [out, inF], data } = W(`${name}.weight`);
  const b = bias ? W(`${name}.bias`).data : null;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < inF; i++) s += data[o * inF + i] * x[i];
    y[o] = s;
  }
  return y;
}

/** Conv1D: W [in, out], y = x·W + b. */
function conv1d(x: Vec, W: Get, name: string): Vec {
  const { shape: [inF, out], data } = W(`${name}.weight`);
  const b = W(`${name}.bias`).data;
  const y = Float64Array.from(b);
  for (let i = 0; i < inF; i++) for (let o = 0; o < out; o++) y[o] += x[i] * data[i * out + o];
  return y;
}

function softmaxAttend(qs: Vec[], ks: Vec[], vs: Vec[], t: number, d: number): Vec {
  const scores = ks.slice(0, t + 1).map((k) => k.reduce((s, kv, j) => s + kv * qs[t][j], 0) / Math.sqrt(d));
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  const o = new Float64Array(d);
  e.forEach((p, u) => {
    for (let j = 0; j < d; j++) o[j] += (p / z) * vs[u][j];
  });
  return o;
}

function head(x: Vec[], embed: { shape: readonly number[]; data: Float64Array }, lmHead: { data: Float64Array } | null, V: number, C: number): Vec[] {
  const m = lmHead ?? embed; // both [V, C]
  return x.map((h) => {
    const y = new Float64Array(V);
    for (let v = 0; v < V; v++) for (let c = 0; c < C; c++) y[v] += m.data[v * C + c] * h[c];
    return y;
  });
}

function llama(cfg: Record<string, any>, W: Get, w: Map<string, unknown>, ids: readonly number[]): Vec[] {
  const C = cfg.hidden_size;
  const H = cfg.num_attention_heads;
  const KV = cfg.num_key_value_heads ?? H;
  const d = cfg.head_dim ?? C / H;
  const eps = cfg.rms_norm_eps;
  const V = cfg.vocab_size;
  const ab = !!cfg.attention_bias;
  const mb = !!cfg.mlp_bias;
  const rms = (x: Vec, name: string) => {
    const s = W(name).data;
    const r = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length + eps);
    return x.map((v, i) => v * r * s[i]);
  };
  // rotate_half: q·cos + rotate_half(q)·sin with cos/sin of cat(freqs, freqs)
  const rope = (v: Vec, pos: number) => {
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const i = j % (d / 2);
      const a = pos * Math.pow(cfg.rope_theta, (-2 * i) / d);
      const rot = j < d / 2 ? -v[j + d / 2] : v[j - d / 2];
      out[j] = v[j] * Math.cos(a) + rot * Math.sin(a);
    }
    return out;
  };
  const E = W('model.embed_tokens.weight').data;
  let x = ids.map((id) => E.slice(id * C, (id + 1) * C));
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    const h = x.map((v) => rms(v, `${p}input_layernorm.weight`));
    const q = h.map((v) => linearT(v, W, `${p}self_attn.q_proj`, ab));
    const k = h.map((v) => linearT(v, W, `${p}self_attn.k_proj`, ab));
    const vv = h.map((v) => linearT(v, W, `${p}self_attn.v_proj`, ab));
    const heads = (a: Vec[], n: number, rot: boolean) => Array.from({ length: n }, (_, hh) => a.map((row, t) => (rot ? rope(row.slice(hh * d, (hh + 1) * d), t) : row.slice(hh * d, (hh + 1) * d))));
    const qh = heads(q, H, true);
    const kh = heads(k, KV, true);
    const vh = heads(vv, KV, false);
    const merged = x.map((_, t) => {
      const o = new Float64Array(H * d);
      for (let hh = 0; hh < H; hh++) o.set(softmaxAttend(qh[hh], kh[Math.floor(hh / (H / KV))], vh[Math.floor(hh / (H / KV))], t, d), hh * d);
      return o;
    });
    x = x.map((v, t) => v.map((a, i) => a + linearT(merged[t], W, `${p}self_attn.o_proj`, ab)[i]));
    x = x.map((v) => {
      const n = rms(v, `${p}post_attention_layernorm.weight`);
      const g = linearT(n, W, `${p}mlp.gate_proj`, mb);
      const u = linearT(n, W, `${p}mlp.up_proj`, mb);
      const act = g.map((a, i) => (a / (1 + Math.exp(-a))) * u[i]);
      const dn = linearT(act, W, `${p}mlp.down_proj`, mb);
      return v.map((a, i) => a + dn[i]);
    });
  }
  x = x.map((v) => rms(v, 'model.norm.weight'));
  return head(x, W('model.embed_tokens.weight'), cfg.tie_word_embeddings ? null : W('lm_head.weight'), V, C);
}

function gpt2(cfg: Record<string, any>, W: Get, w: Map<string, unknown>, ids: readonly number[]): Vec[] {
  const C = cfg.n_embd;
  const H = cfg.n_head;
  const d = C / H;
  const V = cfg.vocab_size;
  const ln = (x: Vec, name: string) => {
    const s = W(`${name}.weight`).data;
    const b = W(`${name}.bias`).data;
    const mean = x.reduce((a, v) => a + v, 0) / C;
    const r = 1 / Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / C + cfg.layer_norm_epsilon);
    return x.map((v, i) => (v - mean) * r * s[i] + b[i]);
  };
  // Transformers' ACT2FN: "gelu" is the erf form, gelu_new the tanh form
  const gelu = cfg.activation_function === 'gelu'
    ? (x: number) => 0.5 * x * (1 + erfRef(x / Math.SQRT2))
    : (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  const E = W('transformer.wte.weight').data;
  const P = W('transformer.wpe.weight').data;
  let x = ids.map((id, t) => E.slice(id * C, (id + 1) * C).map((v, i) => v + P[t * C + i]));
  for (let l = 0; l < cfg.n_layer; l++) {
    const p = `transformer.h.${l}.`;
    const qkv = x.map((v) => conv1d(ln(v, `${p}ln_1`), W, `${p}attn.c_attn`));
    const part = (j: number, hh: number) => qkv.map((r) => r.slice(j * C + hh * d, j * C + (hh + 1) * d));
    const merged = x.map((_, t) => {
      const o = new Float64Array(C);
      for (let hh = 0; hh < H; hh++) o.set(softmaxAttend(part(0, hh), part(1, hh), part(2, hh), t, d), hh * d);
      return o;
    });
    x = x.map((v, t) => v.map((a, i) => a + conv1d(merged[t], W, `${p}attn.c_proj`)[i]));
    x = x.map((v) => {
      const m = conv1d(conv1d(ln(v, `${p}ln_2`), W, `${p}mlp.c_fc`).map(gelu), W, `${p}mlp.c_proj`);
      return v.map((a, i) => a + m[i]);
    });
  }
  x = x.map((v) => ln(v, 'transformer.ln_f'));
  return head(x, W('transformer.wte.weight'), cfg.tie_word_embeddings ? null : W('lm_head.weight'), V, C);
}
