import type { GptConfig } from '../../core/config/gptConfig.ts';

export type { GptConfig };
import { ConfigError } from '../../core/errors/ConfigError.ts';

export interface ParamSpec {
  readonly name: string;
  /** Row-major shape; matrices are [in, out] (x · W). */
  readonly shape: readonly number[];
  readonly init: 'normal' | 'ones' | 'zeros';
  /** Std of a 'normal' init (init_std, or init_std/sqrt(2·layers) for residual outputs). */
  readonly std?: number;
  /** Decoupled weight decay applies to matrices only, not to norm scales or biases. */
  readonly decay: boolean;
}

type Required = 'vocabSize' | 'context' | 'layers' | 'hidden' | 'heads' | 'kvHeads' | 'headDim' | 'ffn' | 'normEps' | 'ropeTheta' | 'tied' | 'dropout' | 'initStd';
type Choice = 'norm' | 'positions' | 'ropeStyle' | 'attention' | 'mlp' | 'gelu';

/**
 * What `resolveGptConfig` accepts: the camelCase config keys (a whole `Config` plus `vocabSize` works).
 * Keys added with the model zoo are optional and default to today's model; enum keys are the
 * config's literal unions, checked again here for input that bypassed the types (JSON).
 */
export type GptConfigInput = Pick<GptConfig, Required> & Partial<Omit<GptConfig, Required>>;

const CHOICES: { readonly [K in Choice]: readonly string[] } = {
  norm: ['rms', 'layer'],
  positions: ['rope', 'learned'],
  ropeStyle: ['half', 'interleaved'],
  attention: ['mha', 'gqa', 'latent'],
  mlp: ['swiglu', 'gelu'],
  gelu: ['tanh', 'exact'],
};

function choice<K extends Choice>(c: GptConfigInput, key: K, fallback: GptConfig[K]): GptConfig[K] {
  const v = c[key] ?? fallback;
  if (!CHOICES[key].includes(v as string)) throw new ConfigError(`model: ${key} must be one of ${CHOICES[key].join(', ')}; got "${v}"`);
  return v as GptConfig[K];
}

/**
 * Fills the derived fields and checks the combination: kv_heads 0 → heads, head_dim 0 → hidden/heads,
 * ffn 0 → 8/3·hidden rounded to 64 (swiglu) or 4·hidden (gelu), kv_latent 0 → hidden (latent only).
 * Throws a ConfigError naming the key for impossible shapes.
 */
export function resolveGptConfig(c: GptConfigInput): GptConfig {
  const attention = choice(c, 'attention', 'gqa');
  const mlp = choice(c, 'mlp', 'swiglu');
  const positions = choice(c, 'positions', 'rope');
  const headDim = c.headDim || Math.floor(c.hidden / c.heads);
  const kvHeads = c.kvHeads || c.heads;
  const ffn = c.ffn || (mlp === 'gelu' ? 4 * c.hidden : Math.max(64, Math.round(((8 / 3) * c.hidden) / 64) * 64));
  const kvLatent = attention === 'latent' ? c.kvLatent || c.hidden : 0;
  if (c.vocabSize < 1) throw new ConfigError('vocab_size must be known (set it, or let the tokenizer set it) before building the model');
  if (headDim < 1) throw new ConfigError(`head_dim resolves to ${headDim} (hidden ${c.hidden} / heads ${c.heads}): set head_dim or fewer heads`);
  if (c.heads % kvHeads !== 0) throw new ConfigError(`heads (${c.heads}) must be a multiple of kv_heads (${kvHeads})`);
  if (attention === 'mha' && kvHeads !== c.heads) throw new ConfigError(`attention: mha needs kv_heads = heads (or 0); got kv_heads ${kvHeads}, heads ${c.heads}: use attention: gqa`);
  if (positions === 'rope' && headDim % 2 !== 0) throw new ConfigError(`head_dim (${headDim}) must be even for RoPE`);
  if (c.fusedGateUp && mlp !== 'swiglu') throw new ConfigError('fused_gate_up needs mlp: swiglu (gelu has no gate)');
  return {
    vocabSize: c.vocabSize,
    context: c.context,
    layers: c.layers,
    hidden: c.hidden,
    norm: choice(c, 'norm', 'rms'),
    normEps: c.normEps,
    normBias: c.normBias ?? false,
    positions,
    ropeTheta: c.ropeTheta,
    ropeStyle: choice(c, 'ropeStyle', 'half'),
    attention,
    heads: c.heads,
    kvHeads,
    headDim,
    kvLatent,
    attnBias: c.attnBias ?? false,
    mlp,
    gelu: choice(c, 'gelu', 'tanh'),
    ffn,
    mlpBias: c.mlpBias ?? false,
    fusedGateUp: c.fusedGateUp ?? false,
    tied: c.tied,
    dropout: c.dropout,
    initStd: c.initStd,
    residualInitScale: c.residualInitScale ?? false,
  };
}

/**
 * Every parameter tensor of the model, in a fixed order (the checkpoint order). Names of today's
 * model are unchanged (wte, h.i.attn_norm, h.i.attn.wq|wk|wv|wo, h.i.mlp_norm, h.i.mlp.gate|up|down,
 * norm_f, lm_head); additions: wpe (learned positions), h.i.attn.kv_down|k_up|v_up (latent),
 * h.i.mlp.gate_up (fused, [C, 2F], gate first), and `<name>.bias` for every bias.
 * GELU MLPs use mlp.up [C, F] and mlp.down [F, C].
 */
export function paramSpecs(c: GptConfig): ParamSpec[] {
  const C = c.hidden;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const std = c.initStd;
  const outStd = c.residualInitScale ? std / Math.sqrt(2 * c.layers) : std;
  const specs: ParamSpec[] = [];
  const matrix = (name: string, rows: number, cols: number, bias: boolean, s = std) => {
    specs.push({ name, shape: [rows, cols], init: 'normal', std: s, decay: true });
    if (bias) specs.push({ name: `${name}.bias`, shape: [cols], init: 'zeros', decay: false });
  };
  const norm = (name: string) => {
    specs.push({ name, shape: [C], init: 'ones', decay: false });
    if (c.normBias) specs.push({ name: `${name}.bias`, shape: [C], init: 'zeros', decay: false });
  };
  specs.push({ name: 'wte', shape: [c.vocabSize, C], init: 'normal', std, decay: true });
  if (c.positions === 'learned') specs.push({ name: 'wpe', shape: [c.context, C], init: 'normal', std, decay: true });
  for (let i = 0; i < c.layers; i++) {
    const p = `h.${i}.`;
    norm(`${p}attn_norm`);
    matrix(`${p}attn.wq`, C, q, c.attnBias);
    if (c.attention === 'latent') {
      matrix(`${p}attn.kv_down`, C, c.kvLatent, c.attnBias);
      matrix(`${p}attn.k_up`, c.kvLatent, kv, c.attnBias);
      matrix(`${p}attn.v_up`, c.kvLatent, kv, c.attnBias);
    } else {
      matrix(`${p}attn.wk`, C, kv, c.attnBias);
      matrix(`${p}attn.wv`, C, kv, c.attnBias);
    }
    matrix(`${p}attn.wo`, q, C, c.attnBias, outStd);
    norm(`${p}mlp_norm`);
    if (c.mlp === 'gelu') {
      matrix(`${p}mlp.up`, C, c.ffn, c.mlpBias);
    } else if (c.fusedGateUp) {
      matrix(`${p}mlp.gate_up`, C, 2 * c.ffn, c.mlpBias);
    } else {
      matrix(`${p}mlp.gate`, C, c.ffn, c.mlpBias);
      matrix(`${p}mlp.up`, C, c.ffn, c.mlpBias);
    }
    matrix(`${p}mlp.down`, c.ffn, C, c.mlpBias, outStd);
  }
  norm('norm_f');
  if (!c.tied) matrix('lm_head', C, c.vocabSize, false);
  return specs;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** Total trainable parameters (tied embeddings counted once). */
export function countParams(c: GptConfig): number {
  return paramSpecs(c).reduce((n, s) => n + numel(s.shape), 0);
}

/**
 * The learned position table's size (context · hidden; 0 with RoPE). nanoGPT's get_num_params
 * (non_embedding=True), and the sources that report its figure, leave it out: their published total
 * is countParams − positionParams.
 */
export function positionParams(c: GptConfig): number {
  return c.positions === 'learned' ? c.context * c.hidden : 0;
}
