import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import type { HfArch, HfFamily } from './hfFamily.ts';

/** Token ids a Transformers config names (null where the tokenizer has none). */
export interface SpecialIds {
  readonly bos: number | null;
  readonly eos: number | null;
  readonly pad: number | null;
}

/** The Transformers version whose config layout these files follow (Transformers 4.57 and 5.x read it). */
export const TRANSFORMERS_VERSION = '4.57.0';

/**
 * config.json of the export: LlamaForCausalLM or GPT2LMHeadModel, with every key that changes the
 * computation written out (no reliance on a class default that may drift between versions).
 * Llama: head_dim, num_key_value_heads, attention_bias (q, k, v, o), mlp_bias (gate, up, down),
 * rope_theta top-level (read by 4.x and 5.x), no rope_scaling. GPT-2: gelu_new (gelu: tanh) or gelu
 * (gelu: exact, the erf form), n_inner, scale_attn_weights (1/√d), every dropout 0 except resid/embd = dropout.
 */
export function hfConfigJson(family: HfFamily, a: HfArch, ids: SpecialIds): Record<string, unknown> {
  // the keys both families end with
  const common = {
    tie_word_embeddings: a.tied,
    initializer_range: a.initStd,
    use_cache: true,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    torch_dtype: 'float32',
    transformers_version: TRANSFORMERS_VERSION,
  };
  if (family === 'llama') {
    return {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: a.vocabSize,
      hidden_size: a.hidden,
      intermediate_size: a.ffn,
      num_hidden_layers: a.layers,
      num_attention_heads: a.heads,
      num_key_value_heads: a.kvHeads,
      head_dim: a.headDim,
      hidden_act: 'silu',
      max_position_embeddings: a.context,
      rms_norm_eps: a.normEps,
      rope_theta: a.ropeTheta,
      rope_scaling: null,
      attention_bias: a.attnBias,
      attention_dropout: 0,
      mlp_bias: a.mlpBias,
      pretraining_tp: 1,
      ...common,
    };
  }
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: a.vocabSize,
    n_embd: a.hidden,
    n_layer: a.layers,
    n_head: a.heads,
    n_inner: a.ffn,
    n_positions: a.context,
    n_ctx: a.context,
    activation_function: a.gelu === 'exact' ? 'gelu' : 'gelu_new', // gelu = exact erf GELU, gelu_new = tanh form
    layer_norm_epsilon: a.normEps,
    resid_pdrop: a.dropout,
    embd_pdrop: a.dropout,
    attn_pdrop: 0,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    ...common,
  };
}

/** Sampling settings generation_config.json carries; the optional ones only when given (a sweep's recommended decoding). */
export interface GenerationSampling {
  readonly temperature: number;
  readonly topK: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
  readonly noRepeatNgramSize?: number;
  readonly maxNewTokens?: number;
}

/**
 * generation_config.json: the special ids, and the run's sampling settings as defaults (Transformers'
 * names: do_sample, temperature, top_k, top_p, repetition_penalty, no_repeat_ngram_size,
 * max_new_tokens). Greedy (temperature 0) leaves out the sampling-only keys.
 */
export function generationConfigJson(ids: SpecialIds, sampling: GenerationSampling, maxLength: number): Record<string, unknown> {
  const s = sampling;
  return {
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    do_sample: s.temperature > 0,
    ...(s.temperature > 0 ? { temperature: s.temperature, top_k: s.topK, ...(s.topP !== undefined ? { top_p: s.topP } : {}) } : {}),
    ...(s.repetitionPenalty !== undefined ? { repetition_penalty: s.repetitionPenalty } : {}),
    ...(s.noRepeatNgramSize !== undefined ? { no_repeat_ngram_size: s.noRepeatNgramSize } : {}),
    ...(s.maxNewTokens !== undefined ? { max_new_tokens: s.maxNewTokens } : {}),
    max_length: maxLength,
    transformers_version: TRANSFORMERS_VERSION,
  };
}

/** What a Transformers config.json describes, as a Versiflow architecture. */
export interface ImportedArch {
  readonly family: HfFamily;
  readonly arch: HfArch;
  /** Things that are not computed exactly as the source model does (stated, not hidden). */
  readonly warnings: readonly string[];
}

type Doc = Record<string, unknown>;

/**
 * config.json of a Transformers Llama-family or GPT-2-family model → a Versiflow architecture.
 * Refuses (CheckpointError naming the key) anything Versiflow would compute differently: rope_scaling,
 * another hidden_act, pretraining_tp > 1, an unknown model_type.
 */
export function importHfConfig(doc: Doc, where = 'config.json'): ImportedArch {
  const type = doc.model_type;
  if (type === 'llama') return { family: 'llama', arch: llamaArch(doc, where), warnings: [] };
  if (type === 'gpt2') return gpt2Arch(doc, where);
  throw new CheckpointError(`${where}: model_type "${String(type)}" is not supported; import reads "llama" (LlamaForCausalLM) and "gpt2" (GPT2LMHeadModel) folders`);
}

function num(doc: Doc, key: string, where: string, fallback?: number): number {
  const v = doc[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`${where}: "${key}" must be a number (got ${JSON.stringify(doc[key])})`);
  return v;
}

function flag(doc: Doc, key: string, fallback: boolean): boolean {
  const v = doc[key];
  return typeof v === 'boolean' ? v : fallback;
}

function llamaArch(doc: Doc, where: string): HfArch {
  const refuse = (key: string, why: string) => {
    throw new CheckpointError(`${where}: ${key} ${why}; Versiflow would compute another model, so the import is refused`);
  };
  if (doc.rope_scaling != null) refuse('rope_scaling', `is ${JSON.stringify(doc.rope_scaling)} (Versiflow's RoPE has no scaling)`);
  const rp = doc.rope_parameters as Doc | undefined; // Transformers 5.x keeps theta here
  if (rp && rp.rope_type !== undefined && rp.rope_type !== 'default') refuse('rope_parameters.rope_type', `is "${String(rp.rope_type)}" (only "default" RoPE)`);
  if ((doc.hidden_act ?? 'silu') !== 'silu') refuse('hidden_act', `is "${String(doc.hidden_act)}" (Versiflow's gated MLP is SwiGLU: silu)`);
  if ((doc.pretraining_tp ?? 1) !== 1) refuse('pretraining_tp', `is ${String(doc.pretraining_tp)} (only 1)`);
  const hidden = num(doc, 'hidden_size', where);
  const heads = num(doc, 'num_attention_heads', where);
  const kvHeads = num(doc, 'num_key_value_heads', where, heads);
  const headDim = doc.head_dim == null ? hidden / heads : num(doc, 'head_dim', where);
  if (!Number.isInteger(headDim)) refuse('head_dim', `is missing and hidden_size / num_attention_heads = ${headDim} is not an integer`);
  const ropeTheta = typeof rp?.rope_theta === 'number' ? rp.rope_theta : num(doc, 'rope_theta', where, 10000);
  return {
    residualInitScale: false, // Transformers' Llama init does not scale the residual projections
    vocabSize: num(doc, 'vocab_size', where),
    context: num(doc, 'max_position_embeddings', where, 2048),
    layers: num(doc, 'num_hidden_layers', where),
    hidden,
    norm: 'rms',
    normEps: num(doc, 'rms_norm_eps', where, 1e-6),
    normBias: false,
    positions: 'rope',
    ropeTheta,
    ropeStyle: 'half',
    attention: kvHeads === heads ? 'mha' : 'gqa',
    heads,
    kvHeads,
    headDim,
    kvLatent: 0,
    attnBias: flag(doc, 'attention_bias', false),
    mlp: 'swiglu',
    gelu: 'tanh', // unused by SwiGLU
    ffn: num(doc, 'intermediate_size', where),
    mlpBias: flag(doc, 'mlp_bias', false),
    fusedGateUp: false,
    tied: flag(doc, 'tie_word_embeddings', false), // LlamaConfig's default
    initStd: num(doc, 'initializer_range', where, 0.02),
    dropout: 0,
  };
}

/** GELU forms Transformers' GPT-2 may name that are Versiflow's tanh GELU exactly ("gelu" is its exact one). */
const TANH_GELU = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast'];

function gpt2Arch(doc: Doc, where: string): ImportedArch {
  const warnings: string[] = [];
  const act = String(doc.activation_function ?? 'gelu_new');
  if (act !== 'gelu' && !TANH_GELU.includes(act)) {
    throw new CheckpointError(`${where}: activation_function "${act}" is not a GELU Versiflow computes (gelu = exact erf, or the tanh forms ${TANH_GELU.join(', ')}), so the import is refused`);
  }
  if (doc.scale_attn_weights === false) throw new CheckpointError(`${where}: scale_attn_weights false (no 1/√d in attention) is not what Versiflow computes; the import is refused`);
  if (doc.scale_attn_by_inverse_layer_idx === true) throw new CheckpointError(`${where}: scale_attn_by_inverse_layer_idx true is not what Versiflow computes; the import is refused`);
  const hidden = num(doc, 'n_embd', where);
  const heads = num(doc, 'n_head', where);
  if (hidden % heads !== 0) throw new CheckpointError(`${where}: n_embd ${hidden} is not a multiple of n_head ${heads}`);
  const arch: HfArch = {
    residualInitScale: true, // GPT-2 scales c_proj's init by 1/sqrt(2·n_layer)
    vocabSize: num(doc, 'vocab_size', where),
    context: num(doc, 'n_positions', where, typeof doc.n_ctx === 'number' ? doc.n_ctx : 1024),
    layers: num(doc, 'n_layer', where),
    hidden,
    norm: 'layer',
    normEps: num(doc, 'layer_norm_epsilon', where, 1e-5),
    normBias: true,
    positions: 'learned',
    ropeTheta: 10000,
    ropeStyle: 'half',
    attention: 'mha',
    heads,
    kvHeads: heads,
    headDim: hidden / heads,
    kvLatent: 0,
    attnBias: true,
    mlp: 'gelu',
    gelu: act === 'gelu' ? 'exact' : 'tanh', // "gelu" is the erf form (config key gelu: exact)
    ffn: doc.n_inner == null ? 4 * hidden : num(doc, 'n_inner', where),
    mlpBias: true,
    fusedGateUp: false,
    tied: flag(doc, 'tie_word_embeddings', true),
    initStd: num(doc, 'initializer_range', where, 0.02),
    dropout: num(doc, 'resid_pdrop', where, 0.1),
  };
  return { family: 'gpt2', arch, warnings };
}

/**
 * The snake_case Versiflow config keys of an architecture (what state.json and a config YAML hold).
 * vocab_size is written: the model's rows, which may exceed the tokenizer's ids.
 */
export function archToConfigKeys(a: HfArch): Record<string, unknown> {
  return {
    vocab_size: a.vocabSize,
    context: a.context,
    layers: a.layers,
    hidden: a.hidden,
    norm: a.norm,
    norm_eps: a.normEps,
    norm_bias: a.normBias,
    positions: a.positions,
    rope_theta: a.ropeTheta,
    rope_style: a.ropeStyle,
    attention: a.attention,
    heads: a.heads,
    kv_heads: a.kvHeads,
    head_dim: a.headDim,
    kv_latent: a.kvLatent,
    attn_bias: a.attnBias,
    mlp: a.mlp,
    gelu: a.gelu,
    ffn: a.ffn,
    mlp_bias: a.mlpBias,
    fused_gate_up: a.fusedGateUp,
    tied: a.tied,
    dropout: a.dropout,
    init_std: a.initStd,
  };
}
