/**
 * The architecture part of a config, fully resolved (no 0 = "derive it" placeholders), and the list
 * of parameter tensors it implies. Parameter counting is a pure function of this config.
 */
export interface GptConfig {
  readonly vocabSize: number;
  readonly context: number;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly ffn: number;
  readonly normEps: number;
  readonly ropeTheta: number;
  readonly tied: boolean;
  readonly dropout: number;
  readonly initStd: number;
}

export interface ParamSpec {
  readonly name: string;
  /** Row-major shape; matrices are [in, out] (x · W). */
  readonly shape: readonly number[];
  readonly init: 'normal' | 'ones' | 'zeros';
  /** Decoupled weight decay applies to matrices only, not to norm scales or biases. */
  readonly decay: boolean;
}

type ArchKeys = Omit<GptConfig, 'vocabSize'> & { readonly vocabSize: number };

/** Fills the derived fields: kv_heads 0 → heads, head_dim 0 → hidden/heads, ffn 0 → 8/3·hidden rounded to 64. */
export function resolveGptConfig(c: ArchKeys): GptConfig {
  const headDim = c.headDim || Math.floor(c.hidden / c.heads);
  const kvHeads = c.kvHeads || c.heads;
  const ffn = c.ffn || Math.max(64, Math.round((8 / 3) * c.hidden / 64) * 64);
  if (c.vocabSize < 1) throw new Error('vocab_size must be known (set it, or let the tokenizer set it) before building the model');
  if (c.heads % kvHeads !== 0) throw new Error(`heads (${c.heads}) must be a multiple of kv_heads (${kvHeads})`);
  if (headDim % 2 !== 0) throw new Error(`head_dim (${headDim}) must be even for RoPE`);
  return {
    vocabSize: c.vocabSize,
    context: c.context,
    layers: c.layers,
    hidden: c.hidden,
    heads: c.heads,
    kvHeads,
    headDim,
    ffn,
    normEps: c.normEps,
    ropeTheta: c.ropeTheta,
    tied: c.tied,
    dropout: c.dropout,
    initStd: c.initStd,
  };
}

/** Every parameter tensor of the model, in a fixed order (the checkpoint order). */
export function paramSpecs(c: GptConfig): ParamSpec[] {
  const C = c.hidden;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const specs: ParamSpec[] = [{ name: 'wte', shape: [c.vocabSize, C], init: 'normal', decay: true }];
  for (let i = 0; i < c.layers; i++) {
    const p = `h.${i}.`;
    specs.push(
      { name: `${p}attn_norm`, shape: [C], init: 'ones', decay: false },
      { name: `${p}attn.wq`, shape: [C, q], init: 'normal', decay: true },
      { name: `${p}attn.wk`, shape: [C, kv], init: 'normal', decay: true },
      { name: `${p}attn.wv`, shape: [C, kv], init: 'normal', decay: true },
      { name: `${p}attn.wo`, shape: [q, C], init: 'normal', decay: true },
      { name: `${p}mlp_norm`, shape: [C], init: 'ones', decay: false },
      { name: `${p}mlp.gate`, shape: [C, c.ffn], init: 'normal', decay: true },
      { name: `${p}mlp.up`, shape: [C, c.ffn], init: 'normal', decay: true },
      { name: `${p}mlp.down`, shape: [c.ffn, C], init: 'normal', decay: true },
    );
  }
  specs.push({ name: 'norm_f', shape: [C], init: 'ones', decay: false });
  if (!c.tied) specs.push({ name: 'lm_head', shape: [C, c.vocabSize], init: 'normal', decay: true });
  return specs;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** Total trainable parameters (tied embeddings counted once). */
export function countParams(c: GptConfig): number {
  return paramSpecs(c).reduce((n, s) => n + numel(s.shape), 0);
}
