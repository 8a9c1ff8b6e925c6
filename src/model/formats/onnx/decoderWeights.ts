import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import type { HfArch, HfFamily } from '../hf/hfFamily.ts';
import { sliceColumns, transpose } from '../hf/matrixOps.ts';
import type { NamedArray } from '../safetensors.ts';

/** x·W + b with W [inF, outF] (x·W order, as ONNX MatMul takes it). */
export interface DenseWeights {
  readonly w: Float32Array;
  readonly inF: number;
  readonly outF: number;
  readonly b?: Float32Array;
}

export interface NormWeights {
  readonly scale: Float32Array;
  readonly bias?: Float32Array;
}

export interface DecoderLayerWeights {
  readonly attnNorm: NormWeights;
  readonly q: DenseWeights;
  readonly k: DenseWeights;
  readonly v: DenseWeights;
  readonly o: DenseWeights;
  readonly mlpNorm: NormWeights;
  /** SwiGLU's gate (Llama); absent for GPT-2's GELU MLP. */
  readonly gate?: DenseWeights;
  readonly up: DenseWeights;
  readonly down: DenseWeights;
}

/** One decoder's weights in the form the ONNX graph computes with. */
export interface DecoderWeights {
  /** Token embeddings [V, C] (also the head when tied). */
  readonly embed: Float32Array;
  /** Learned positions [context, C] (GPT-2). */
  readonly positions?: Float32Array;
  readonly layers: readonly DecoderLayerWeights[];
  readonly finalNorm: NormWeights;
  /** Untied head [C, V]; absent when tied to `embed`. */
  readonly head?: Float32Array;
}

/**
 * Transformers' state dict of the export (toHfTensors: Llama or GPT-2 names and layouts, with latent
 * K/V folded, gate_up split and interleaved RoPE permuted already) → dense [in, out] matrices per
 * layer. Reading the Transformers tensors rather than Versiflow's keeps one mapping of the weights
 * for every export format.
 */
export function decoderWeights(family: HfFamily, a: HfArch, hf: readonly NamedArray[]): DecoderWeights {
  const t = new Map(hf.map((x) => [x.name, x.data as Float32Array]));
  const get = (name: string): Float32Array => {
    const v = t.get(name);
    if (!v) throw new CheckpointError(`onnx export: tensor "${name}" is missing from the Transformers state dict`);
    return v;
  };
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, ffn: F } = a;
  if (family === 'llama') {
    // nn.Linear [out, in] → [in, out]
    const dense = (n: string, inF: number, outF: number): DenseWeights => ({ w: transpose(get(`${n}.weight`), outF, inF), inF, outF, b: t.get(`${n}.bias`) });
    const layers = Array.from({ length: a.layers }, (_, i): DecoderLayerWeights => {
      const p = `model.layers.${i}.`;
      return {
        attnNorm: { scale: get(`${p}input_layernorm.weight`) },
        q: dense(`${p}self_attn.q_proj`, C, H * d),
        k: dense(`${p}self_attn.k_proj`, C, KV * d),
        v: dense(`${p}self_attn.v_proj`, C, KV * d),
        o: dense(`${p}self_attn.o_proj`, H * d, C),
        mlpNorm: { scale: get(`${p}post_attention_layernorm.weight`) },
        gate: dense(`${p}mlp.gate_proj`, C, F),
        up: dense(`${p}mlp.up_proj`, C, F),
        down: dense(`${p}mlp.down_proj`, F, C),
      };
    });
    const embed = get('model.embed_tokens.weight');
    return { embed, layers, finalNorm: { scale: get('model.norm.weight') }, head: a.tied ? undefined : transpose(get('lm_head.weight'), a.vocabSize, C) };
  }
  // GPT-2: Conv1D is [in, out] already; c_attn is q|k|v side by side
  const norm = (n: string): NormWeights => ({ scale: get(`${n}.weight`), bias: get(`${n}.bias`) });
  const conv = (n: string, inF: number, outF: number): DenseWeights => ({ w: get(`${n}.weight`), inF, outF, b: get(`${n}.bias`) });
  const layers = Array.from({ length: a.layers }, (_, i): DecoderLayerWeights => {
    const p = `transformer.h.${i}.`;
    const w = get(`${p}attn.c_attn.weight`);
    const b = get(`${p}attn.c_attn.bias`);
    const part = (j: number): DenseWeights => ({ w: sliceColumns(w, C, 3 * C, j * C, C), inF: C, outF: C, b: b.slice(j * C, (j + 1) * C) });
    return {
      attnNorm: norm(`${p}ln_1`),
      q: part(0),
      k: part(1),
      v: part(2),
      o: conv(`${p}attn.c_proj`, C, C),
      mlpNorm: norm(`${p}ln_2`),
      up: conv(`${p}mlp.c_fc`, C, F),
      down: conv(`${p}mlp.c_proj`, F, C),
    };
  });
  return {
    embed: get('transformer.wte.weight'),
    positions: get('transformer.wpe.weight'),
    layers,
    finalNorm: norm('transformer.ln_f'),
    head: a.tied ? undefined : transpose(get('lm_head.weight'), a.vocabSize, C),
  };
}
