import type { NamedArray } from '../safetensors.ts';
import type { HfArch, HfFamily } from '../hf/hfFamily.ts';
import { transpose } from '../hf/matrixOps.ts';
import { encodeF16, encodeF32, encodeQ8_0 } from './ggmlQuantize.ts';
import type { GgmlType, GgufKv, GgufTensor } from './ggufFile.ts';

/**
 * The model part of a GGUF file for llama.cpp's "llama" and "gpt2" architectures [ggml-org/llama.cpp
 * convert_hf_to_gguf.py, src/llama-model.cpp], built from the Transformers state dict toHfTensors
 * writes (so latent K/V folding, fused gate_up splitting and the interleaved-RoPE permutation are
 * done once, there). Pure.
 *
 * RoPE: llama.cpp's "llama" arch rotates adjacent pairs (2i, 2i+1); Transformers' Llama rotates
 * (i, i + d/2). So q and k rows are permuted per head, gguf row 2i + j = hf row j·d/2 + i, weights and
 * biases alike (as convert_hf_to_gguf's LlamaModel.permute). With Versiflow's interleaved style,
 * toLlamaTensors first applied the inverse permutation, so the two compose to the identity: the
 * adjacent pairs come out as Versiflow had them.
 */

/** The tensor type of the file: every 2-D weight in it; 1-D tensors (norms, biases) stay F32. */
export type GgufFileType = 'f32' | 'f16' | 'q8_0';

/** general.file_type values (llama_ftype). */
export const FILE_TYPE: Readonly<Record<GgufFileType, number>> = { f32: 0, f16: 1, q8_0: 7 };

/** hf row order → adjacent-pair RoPE order within each head: out row h·d + 2i + j = in row h·d + j·d/2 + i. */
export function permuteRopeRows(w: Float32Array, heads: number, d: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < d / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * d + j * (d / 2) + i) * cols;
        out.set(w.subarray(from, from + cols), (h * d + 2 * i + j) * cols);
      }
    }
  }
  return out;
}

interface Plain {
  name: string;
  /** Row-major [rows, cols] (or [n] for vectors). */
  shape: number[];
  data: Float32Array;
}

/** HF Llama state dict → GGUF names, nn.Linear's [out, in] kept (ggml ne = {in, out}), q/k rows permuted. */
function llamaPlain(a: HfArch, hf: readonly NamedArray[]): Plain[] {
  const out: Plain[] = [];
  const names: [RegExp, string][] = [
    [/^model\.embed_tokens\.weight$/, 'token_embd.weight'],
    [/^model\.norm\.weight$/, 'output_norm.weight'],
    [/^lm_head\.weight$/, 'output.weight'],
    [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, 'blk.$1.attn_norm.weight'],
    [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'blk.$1.ffn_norm.weight'],
    [/^model\.layers\.(\d+)\.self_attn\.q_proj\.(weight|bias)$/, 'blk.$1.attn_q.$2'],
    [/^model\.layers\.(\d+)\.self_attn\.k_proj\.(weight|bias)$/, 'blk.$1.attn_k.$2'],
    [/^model\.layers\.(\d+)\.self_attn\.v_proj\.(weight|bias)$/, 'blk.$1.attn_v.$2'],
    [/^model\.layers\.(\d+)\.self_attn\.o_proj\.(weight|bias)$/, 'blk.$1.attn_output.$2'],
    [/^model\.layers\.(\d+)\.mlp\.gate_proj\.(weight|bias)$/, 'blk.$1.ffn_gate.$2'],
    [/^model\.layers\.(\d+)\.mlp\.up_proj\.(weight|bias)$/, 'blk.$1.ffn_up.$2'],
    [/^model\.layers\.(\d+)\.mlp\.down_proj\.(weight|bias)$/, 'blk.$1.ffn_down.$2'],
  ];
  for (const t of hf) {
    const rule = names.find(([re]) => re.test(t.name));
    if (!rule) throw new Error(`no GGUF name for Transformers tensor "${t.name}"`);
    const name = t.name.replace(rule[0], rule[1]);
    let data = t.data as Float32Array;
    const cols = t.shape.length === 2 ? t.shape[1] : 1;
    if (/\.attn_q\./.test(name)) data = permuteRopeRows(data, a.heads, a.headDim, cols);
    if (/\.attn_k\./.test(name)) data = permuteRopeRows(data, a.kvHeads, a.headDim, cols);
    out.push({ name, shape: [...t.shape], data });
  }
  return out;
}

/** HF GPT-2 state dict → GGUF names; Conv1D [in, out] transposed to [out, in]; output.weight always written. */
function gpt2Plain(a: HfArch, hf: readonly NamedArray[]): Plain[] {
  const out: Plain[] = [];
  const names: [RegExp, string, boolean][] = [
    [/^transformer\.wte\.weight$/, 'token_embd.weight', false],
    [/^transformer\.wpe\.weight$/, 'position_embd.weight', false],
    [/^transformer\.ln_f\.(weight|bias)$/, 'output_norm.$1', false],
    [/^lm_head\.weight$/, 'output.weight', false],
    [/^transformer\.h\.(\d+)\.ln_1\.(weight|bias)$/, 'blk.$1.attn_norm.$2', false],
    [/^transformer\.h\.(\d+)\.ln_2\.(weight|bias)$/, 'blk.$1.ffn_norm.$2', false],
    [/^transformer\.h\.(\d+)\.attn\.c_attn\.(weight|bias)$/, 'blk.$1.attn_qkv.$2', true],
    [/^transformer\.h\.(\d+)\.attn\.c_proj\.(weight|bias)$/, 'blk.$1.attn_output.$2', true],
    [/^transformer\.h\.(\d+)\.mlp\.c_fc\.(weight|bias)$/, 'blk.$1.ffn_up.$2', true],
    [/^transformer\.h\.(\d+)\.mlp\.c_proj\.(weight|bias)$/, 'blk.$1.ffn_down.$2', true],
  ];
  for (const t of hf) {
    const rule = names.find(([re]) => re.test(t.name));
    if (!rule) throw new Error(`no GGUF name for Transformers tensor "${t.name}"`);
    const name = t.name.replace(rule[0], rule[1]);
    const conv = rule[2] && t.shape.length === 2;
    const data = conv ? transpose(t.data as Float32Array, t.shape[0], t.shape[1]) : (t.data as Float32Array);
    out.push({ name, shape: conv ? [t.shape[1], t.shape[0]] : [...t.shape], data });
  }
  if (!out.some((t) => t.name === 'output.weight')) {
    const wte = out.find((t) => t.name === 'token_embd.weight')!;
    out.push({ name: 'output.weight', shape: [...wte.shape], data: wte.data });
  }
  return out;
}

/**
 * GGUF tensors of a Transformers state dict (toHfTensors' output for `family`): 2-D weights as
 * `type` (Q8_0 only where a row's length is a multiple of 32, otherwise F16, listed in `kept`),
 * 1-D tensors F32.
 */
export function toGgufTensors(family: HfFamily, a: HfArch, hf: readonly NamedArray[], type: GgufFileType): { tensors: GgufTensor[]; kept: string[] } {
  const plain = family === 'llama' ? llamaPlain(a, hf) : gpt2Plain(a, hf);
  const kept: string[] = [];
  const tensors = plain.map((t): GgufTensor => {
    const ne = [...t.shape].reverse();
    let ty: GgmlType = t.shape.length < 2 || type === 'f32' ? 'F32' : type === 'f16' ? 'F16' : 'Q8_0';
    if (ty === 'Q8_0' && ne[0] % 32 !== 0) {
      ty = 'F16';
      kept.push(t.name);
    }
    const data = ty === 'F32' ? encodeF32(t.data) : ty === 'F16' ? encodeF16(t.data) : encodeQ8_0(t.data);
    return { name: t.name, ne, type: ty, data };
  });
  return { tensors, kept };
}

/** general.* and <arch>.* keys of the model. */
export function ggufModelKv(family: HfFamily, a: HfArch, o: { name: string; type: GgufFileType }): GgufKv[] {
  const kv: GgufKv[] = [
    { key: 'general.architecture', type: 'string', value: family },
    { key: 'general.type', type: 'string', value: 'model' },
    { key: 'general.name', type: 'string', value: o.name },
    { key: 'general.file_type', type: 'uint32', value: FILE_TYPE[o.type] },
    { key: 'general.quantization_version', type: 'uint32', value: 2 },
  ];
  const k = (key: string, type: 'uint32' | 'float32', value: number) => kv.push({ key: `${family}.${key}`, type, value });
  k('vocab_size', 'uint32', a.vocabSize);
  k('context_length', 'uint32', a.context);
  k('embedding_length', 'uint32', a.hidden);
  k('block_count', 'uint32', a.layers);
  k('feed_forward_length', 'uint32', a.ffn);
  k('attention.head_count', 'uint32', a.heads);
  if (family === 'llama') {
    k('attention.head_count_kv', 'uint32', a.kvHeads);
    k('attention.layer_norm_rms_epsilon', 'float32', a.normEps);
    k('rope.freq_base', 'float32', a.ropeTheta);
    k('rope.dimension_count', 'uint32', a.headDim);
    if (a.headDim * a.heads !== a.hidden) {
      k('attention.key_length', 'uint32', a.headDim);
      k('attention.value_length', 'uint32', a.headDim);
    }
  } else {
    k('attention.layer_norm_epsilon', 'float32', a.normEps);
  }
  return kv;
}
