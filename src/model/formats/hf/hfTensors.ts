import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import type { NamedArray } from '../safetensors.ts';
import type { HfArch, HfFamily } from './hfFamily.ts';
import { concatColumns, interleavedToHalf, matmul64, permuteHeadColumns, sliceColumns, transpose, vecmatAdd64 } from './matrixOps.ts';

/**
 * Versiflow tensors ↔ Transformers tensors. Versiflow names and layouts are paramSpecs' (matrices
 * [in, out]); Transformers': LlamaForCausalLM (nn.Linear [out, in]) and GPT2LMHeadModel (Conv1D
 * [in, out], q|k|v in one c_attn). Pure: maps in, lists out.
 */

export type Tensors = ReadonlyMap<string, NamedArray>;

export function get(t: Tensors, name: string, shape: readonly number[]): Float32Array {
  const a = t.get(name);
  if (!a) throw new CheckpointError(`tensor "${name}" is missing`);
  if (!(a.data instanceof Float32Array)) throw new CheckpointError(`tensor "${name}" is not float32`);
  if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) throw new CheckpointError(`tensor "${name}" has shape [${a.shape}], expected [${shape}]`);
  return a.data;
}

export const opt = (t: Tensors, name: string, shape: readonly number[]): Float32Array | undefined => (t.has(name) ? get(t, name, shape) : undefined);

/** K and V projections of layer i as [C, KV·d] (+ bias), latent K/V folded: (x·Wd + bd)·Wu + bu = x·(Wd·Wu) + (bd·Wu + bu). */
export function keyValue(a: HfArch, t: Tensors, i: number): { wk: Float32Array; wv: Float32Array; bk?: Float32Array; bv?: Float32Array } {
  const p = `h.${i}.attn.`;
  const C = a.hidden;
  const kv = a.kvHeads * a.headDim;
  if (a.attention !== 'latent') {
    return { wk: get(t, `${p}wk`, [C, kv]), wv: get(t, `${p}wv`, [C, kv]), bk: opt(t, `${p}wk.bias`, [kv]), bv: opt(t, `${p}wv.bias`, [kv]) };
  }
  const L = a.kvLatent;
  const down = get(t, `${p}kv_down`, [C, L]);
  const bd = opt(t, `${p}kv_down.bias`, [L]);
  const fold = (up: string) => {
    const wu = get(t, `${p}${up}`, [L, kv]);
    const bu = opt(t, `${p}${up}.bias`, [kv]);
    return { w: matmul64(down, wu, C, L, kv), b: bd || bu ? vecmatAdd64(bd ?? new Float32Array(L), wu, L, kv, bu) : undefined };
  };
  const k = fold('k_up');
  const v = fold('v_up');
  return { wk: k.w, wv: v.w, bk: k.b, bv: v.b };
}

/** Gate and up projections [C, F] (+ biases) of layer i, a fused gate_up [C, 2F] split (gate first). */
export function gateUp(a: HfArch, t: Tensors, i: number): { gate: Float32Array; up: Float32Array; bg?: Float32Array; bu?: Float32Array } {
  const p = `h.${i}.mlp.`;
  const [C, F] = [a.hidden, a.ffn];
  if (!a.fusedGateUp) return { gate: get(t, `${p}gate`, [C, F]), up: get(t, `${p}up`, [C, F]), bg: opt(t, `${p}gate.bias`, [F]), bu: opt(t, `${p}up.bias`, [F]) };
  const w = get(t, `${p}gate_up`, [C, 2 * F]);
  const b = opt(t, `${p}gate_up.bias`, [2 * F]);
  return { gate: sliceColumns(w, C, 2 * F, 0, F), up: sliceColumns(w, C, 2 * F, F, F), bg: b?.slice(0, F), bu: b?.slice(F) };
}

/**
 * Versiflow tensors → LlamaForCausalLM's state dict (tied: no lm_head.weight, as save_pretrained
 * writes it). Interleaved RoPE: q and k rows permuted per head to the half-split order.
 */
export function toLlamaTensors(a: HfArch, t: Tensors): NamedArray[] {
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, ffn: F, vocabSize: V } = a;
  const out: NamedArray[] = [];
  const put = (name: string, shape: number[], data: Float32Array) => out.push({ name, shape, data });
  // x·W with W [in, out] is W' [out, in] = Wᵀ applied as nn.Linear
  const linear = (name: string, w: Float32Array, inF: number, outF: number, b?: Float32Array) => {
    put(`${name}.weight`, [outF, inF], transpose(w, inF, outF));
    if (b) put(`${name}.bias`, [outF], b);
  };
  const perm = a.ropeStyle === 'interleaved' ? interleavedToHalf(d) : null;
  const rope = (w: Float32Array, rows: number, n: number) => (perm ? permuteHeadColumns(w, rows, n, perm) : w);
  put('model.embed_tokens.weight', [V, C], get(t, 'wte', [V, C]));
  for (let i = 0; i < a.layers; i++) {
    const p = `h.${i}.`;
    const o = `model.layers.${i}.`;
    put(`${o}input_layernorm.weight`, [C], get(t, `${p}attn_norm`, [C]));
    const bq = opt(t, `${p}attn.wq.bias`, [H * d]);
    linear(`${o}self_attn.q_proj`, rope(get(t, `${p}attn.wq`, [C, H * d]), C, H), C, H * d, bq && rope(bq, 1, H));
    const { wk, wv, bk, bv } = keyValue(a, t, i);
    linear(`${o}self_attn.k_proj`, rope(wk, C, KV), C, KV * d, bk && rope(bk, 1, KV));
    linear(`${o}self_attn.v_proj`, wv, C, KV * d, bv);
    linear(`${o}self_attn.o_proj`, get(t, `${p}attn.wo`, [H * d, C]), H * d, C, opt(t, `${p}attn.wo.bias`, [C]));
    put(`${o}post_attention_layernorm.weight`, [C], get(t, `${p}mlp_norm`, [C]));
    const { gate, up, bg, bu } = gateUp(a, t, i);
    linear(`${o}mlp.gate_proj`, gate, C, F, bg);
    linear(`${o}mlp.up_proj`, up, C, F, bu);
    linear(`${o}mlp.down_proj`, get(t, `${p}mlp.down`, [F, C]), F, C, opt(t, `${p}mlp.down.bias`, [C]));
  }
  put('model.norm.weight', [C], get(t, 'norm_f', [C]));
  if (!a.tied) put('lm_head.weight', [V, C], transpose(get(t, 'lm_head', [C, V]), C, V));
  return out;
}

/** Versiflow tensors → GPT2LMHeadModel's state dict. Conv1D keeps [in, out]; absent biases are zeros. */
export function toGpt2Tensors(a: HfArch, t: Tensors): NamedArray[] {
  const { hidden: C, ffn: F, vocabSize: V } = a;
  const out: NamedArray[] = [];
  const put = (name: string, shape: number[], data: Float32Array) => out.push({ name, shape, data });
  const zeros = (n: number) => new Float32Array(n);
  const norm = (name: string, from: string) => {
    put(`${name}.weight`, [C], get(t, from, [C]));
    put(`${name}.bias`, [C], opt(t, `${from}.bias`, [C]) ?? zeros(C));
  };
  put('transformer.wte.weight', [V, C], get(t, 'wte', [V, C]));
  put('transformer.wpe.weight', [a.context, C], get(t, 'wpe', [a.context, C]));
  for (let i = 0; i < a.layers; i++) {
    const p = `h.${i}.`;
    const o = `transformer.h.${i}.`;
    norm(`${o}ln_1`, `${p}attn_norm`);
    const { wk, wv, bk, bv } = keyValue(a, t, i);
    const wq = get(t, `${p}attn.wq`, [C, C]);
    put(`${o}attn.c_attn.weight`, [C, 3 * C], concatColumns([{ data: wq, cols: C }, { data: wk, cols: C }, { data: wv, cols: C }], C));
    const bq = opt(t, `${p}attn.wq.bias`, [C]) ?? zeros(C);
    put(`${o}attn.c_attn.bias`, [3 * C], concatColumns([{ data: bq, cols: C }, { data: bk ?? zeros(C), cols: C }, { data: bv ?? zeros(C), cols: C }], 1));
    put(`${o}attn.c_proj.weight`, [C, C], get(t, `${p}attn.wo`, [C, C]));
    put(`${o}attn.c_proj.bias`, [C], opt(t, `${p}attn.wo.bias`, [C]) ?? zeros(C));
    norm(`${o}ln_2`, `${p}mlp_norm`);
    put(`${o}mlp.c_fc.weight`, [C, F], get(t, `${p}mlp.up`, [C, F]));
    put(`${o}mlp.c_fc.bias`, [F], opt(t, `${p}mlp.up.bias`, [F]) ?? zeros(F));
    put(`${o}mlp.c_proj.weight`, [F, C], get(t, `${p}mlp.down`, [F, C]));
    put(`${o}mlp.c_proj.bias`, [C], opt(t, `${p}mlp.down.bias`, [C]) ?? zeros(C));
  }
  norm('transformer.ln_f', 'norm_f');
  if (!a.tied) put('lm_head.weight', [V, C], transpose(get(t, 'lm_head', [C, V]), C, V));
  return out;
}

/** The Transformers state dict of a Versiflow model of `family` (see hfFamilyOf). */
export function toHfTensors(family: HfFamily, a: HfArch, t: Tensors): NamedArray[] {
  return family === 'llama' ? toLlamaTensors(a, t) : toGpt2Tensors(a, t);
}

/** Buffers some Transformers checkpoints carry that are not parameters (recomputed by the model). */
const BUFFERS = [/\.rotary_emb\.inv_freq$/, /(^|\.)h\.\d+\.attn\.(bias|masked_bias)$/];

/**
 * A Transformers state dict (names with or without the `model.` / `transformer.` prefix) →
 * Versiflow tensors in paramSpecs' order for the architecture `a` (from importHfConfig: llama is
 * rope half, unfused gate/up, never latent; gpt2 has every bias). Throws a CheckpointError naming a
 * missing tensor, a wrong shape, or a tensor this architecture does not have (which would mean the
 * checkpoint computes something else).
 */
export function fromHfTensors(family: HfFamily, a: HfArch, hf: Tensors): NamedArray[] {
  const prefix = family === 'llama' ? 'model.' : 'transformer.';
  const t = new Map<string, NamedArray>();
  for (const [name, v] of hf) {
    if (BUFFERS.some((re) => re.test(name))) continue;
    const full = name.startsWith(prefix) || name.startsWith('lm_head.') ? name : prefix + name;
    t.set(full, v);
  }
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]) => {
    used.add(name);
    return get(t, name, shape);
  };
  const takeOpt = (name: string, shape: readonly number[]) => (t.has(name) ? take(name, shape) : undefined);
  const out: NamedArray[] = [];
  const put = (name: string, shape: number[], data: Float32Array) => out.push({ name, shape, data });
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, ffn: F, vocabSize: V } = a;
  if (family === 'llama') {
    // nn.Linear [out, in] → [in, out]
    const linear = (to: string, from: string, inF: number, outF: number, bias: boolean) => {
      put(to, [inF, outF], transpose(take(`${from}.weight`, [outF, inF]), outF, inF));
      if (bias) put(`${to}.bias`, [outF], take(`${from}.bias`, [outF]));
    };
    put('wte', [V, C], take('model.embed_tokens.weight', [V, C]));
    for (let i = 0; i < a.layers; i++) {
      const p = `h.${i}.`;
      const o = `model.layers.${i}.`;
      put(`${p}attn_norm`, [C], take(`${o}input_layernorm.weight`, [C]));
      linear(`${p}attn.wq`, `${o}self_attn.q_proj`, C, H * d, a.attnBias);
      linear(`${p}attn.wk`, `${o}self_attn.k_proj`, C, KV * d, a.attnBias);
      linear(`${p}attn.wv`, `${o}self_attn.v_proj`, C, KV * d, a.attnBias);
      linear(`${p}attn.wo`, `${o}self_attn.o_proj`, H * d, C, a.attnBias);
      put(`${p}mlp_norm`, [C], take(`${o}post_attention_layernorm.weight`, [C]));
      linear(`${p}mlp.gate`, `${o}mlp.gate_proj`, C, F, a.mlpBias);
      linear(`${p}mlp.up`, `${o}mlp.up_proj`, C, F, a.mlpBias);
      linear(`${p}mlp.down`, `${o}mlp.down_proj`, F, C, a.mlpBias);
    }
    put('norm_f', [C], take('model.norm.weight', [C]));
  } else {
    const norm = (to: string, from: string) => {
      put(to, [C], take(`${from}.weight`, [C]));
      put(`${to}.bias`, [C], take(`${from}.bias`, [C]));
    };
    put('wte', [V, C], take('transformer.wte.weight', [V, C]));
    put('wpe', [a.context, C], take('transformer.wpe.weight', [a.context, C]));
    for (let i = 0; i < a.layers; i++) {
      const p = `h.${i}.`;
      const o = `transformer.h.${i}.`;
      norm(`${p}attn_norm`, `${o}ln_1`);
      const w = take(`${o}attn.c_attn.weight`, [C, 3 * C]);
      const b = take(`${o}attn.c_attn.bias`, [3 * C]);
      ['wq', 'wk', 'wv'].forEach((n, j) => {
        put(`${p}attn.${n}`, [C, C], sliceColumns(w, C, 3 * C, j * C, C));
        put(`${p}attn.${n}.bias`, [C], b.slice(j * C, (j + 1) * C));
      });
      put(`${p}attn.wo`, [C, C], take(`${o}attn.c_proj.weight`, [C, C]));
      put(`${p}attn.wo.bias`, [C], take(`${o}attn.c_proj.bias`, [C]));
      norm(`${p}mlp_norm`, `${o}ln_2`);
      put(`${p}mlp.up`, [C, F], take(`${o}mlp.c_fc.weight`, [C, F]));
      put(`${p}mlp.up.bias`, [F], take(`${o}mlp.c_fc.bias`, [F]));
      put(`${p}mlp.down`, [F, C], take(`${o}mlp.c_proj.weight`, [F, C]));
      put(`${p}mlp.down.bias`, [C], take(`${o}mlp.c_proj.bias`, [C]));
    }
    norm('norm_f', 'transformer.ln_f');
  }
  const embed = family === 'llama' ? 'model.embed_tokens.weight' : 'transformer.wte.weight';
  const head = takeOpt('lm_head.weight', [V, C]);
  if (!a.tied) {
    if (!head) throw new CheckpointError('tensor "lm_head.weight" is missing (config.json says tie_word_embeddings: false)');
    put('lm_head', [C, V], transpose(head, V, C));
  } else if (head && !sameValues(head, get(t, embed, [V, C]))) {
    throw new CheckpointError(`config.json says tie_word_embeddings: true, but lm_head.weight differs from ${embed}`);
  }
  const extra = [...t.keys()].filter((n) => !used.has(n));
  if (extra.length) throw new CheckpointError(`tensors this ${family} architecture does not have: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? `, … (${extra.length})` : ''}`);
  return out;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}
