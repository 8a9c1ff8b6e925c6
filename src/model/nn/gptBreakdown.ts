import { numel, paramSpecs } from './gptConfig.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';

/**
 * Where a model's parameters are and what training it costs in memory: pure functions of the config,
 * for `versiflow params` and the run header. Counts come from `paramSpecs`, so they are the tensors
 * the built model has.
 */
export interface ParamGroup {
  readonly group: 'embeddings' | 'layer' | 'final norm' | 'head';
  /** Tensor name; for layers without the `h.<i>.` prefix (every layer has the same parts). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly params: number;
}

export interface ParamBreakdown {
  /** Layer tensors are listed once (those of layer 0); multiply by `layers`. */
  readonly rows: readonly ParamGroup[];
  readonly embeddings: number;
  readonly perLayer: number;
  readonly layers: number;
  readonly finalNorm: number;
  /** 0 when tied to the embedding. */
  readonly head: number;
  readonly total: number;
}

export function paramBreakdown(c: GptConfig): ParamBreakdown {
  const rows: ParamGroup[] = [];
  for (const s of paramSpecs(c)) {
    const layer = /^h\.(\d+)\.(.*)$/.exec(s.name);
    if (layer && layer[1] !== '0') continue;
    const group = layer ? 'layer' : s.name === 'wte' || s.name === 'wpe' ? 'embeddings' : s.name.startsWith('norm_f') ? 'final norm' : 'head';
    rows.push({ group, name: layer ? layer[2] : s.name, shape: s.shape, params: numel(s.shape) });
  }
  const sum = (g: ParamGroup['group']) => rows.filter((r) => r.group === g).reduce((n, r) => n + r.params, 0);
  const embeddings = sum('embeddings');
  const perLayer = sum('layer');
  const finalNorm = sum('final norm');
  const head = sum('head');
  return { rows, embeddings, perLayer, layers: c.layers, finalNorm, head, total: embeddings + perLayer * c.layers + finalNorm + head };
}

export interface TrainingMemory {
  readonly batch: number;
  readonly context: number;
  /** fp32 bytes. */
  readonly weights: number;
  readonly grads: number;
  /** AdamW first and second moments. */
  readonly adam: number;
  /** Estimate of the activations kept for the backward pass. */
  readonly activations: number;
  readonly total: number;
}

/**
 * fp32 memory to train at batch B and context T: weights 4N, gradients 4N, AdamW m + v 8N, plus an
 * activation estimate: the tensors autodiff keeps per token, with no recomputation —
 * per layer: ~6·C (residual, norms, projections out) + q (2·H·d: raw and rotated) + K/V (3·KV·d)
 * + latent L + scores, masked scores and probabilities (3·H·T) + the MLP (5·F swiglu: gate, up,
 * sigmoid, silu, product; 4·F gelu); after the layers 2·C + 4·V (logits, log-softmax, one-hot, product).
 * A rough upper estimate: tfjs frees some of these early; fused kernels would keep fewer.
 */
export function trainingMemory(c: GptConfig, batch: number, context: number): TrainingMemory {
  const n = paramBreakdown(c).total;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const perLayer = 6 * c.hidden + 2 * q + 3 * kv + c.kvLatent + 3 * c.heads * context + (c.mlp === 'swiglu' ? 5 : 4) * c.ffn;
  const perToken = c.layers * perLayer + 2 * c.hidden + 4 * c.vocabSize;
  const weights = 4 * n;
  const activations = 4 * batch * context * perToken;
  return { batch, context, weights, grads: 4 * n, adam: 8 * n, activations, total: weights + 4 * n + 8 * n + activations };
}
