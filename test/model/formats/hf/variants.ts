import { type GptConfigInput, resolveGptConfig } from '../../../../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../../../../src/core/config/gptConfig.ts';

/** A small model for export tests: V 43 (the fixture char tokenizer), T 8, 2 layers, C 16, 4 heads of 4 (2 KV), F 24. */
export function small(over: Partial<GptConfigInput> = {}): GptConfig {
  return resolveGptConfig({
    vocabSize: 43, context: 8, layers: 2, hidden: 16, heads: 4, kvHeads: 2, headDim: 4, ffn: 24,
    normEps: 1e-5, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02, ...over,
  });
}

const GPT2: Partial<GptConfigInput> = { norm: 'layer', positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu' };

/** Exportable architectures: name → overrides of `small`, with the family they export to. */
export const EXPORTABLE: Readonly<Record<string, { family: 'llama' | 'gpt2'; over: Partial<GptConfigInput> }>> = {
  'llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)': { family: 'llama', over: {} },
  'llama: mha, untied, attention and mlp biases': { family: 'llama', over: { attention: 'mha', kvHeads: 0, attnBias: true, mlpBias: true, tied: false } },
  'llama: latent K/V with biases, fused gate_up, interleaved rope (Poetru-like)': {
    family: 'llama', over: { attention: 'latent', kvLatent: 12, fusedGateUp: true, mlpBias: true, attnBias: true, ropeStyle: 'interleaved' },
  },
  'llama: head_dim 6 ≠ hidden/heads, theta 500000': { family: 'llama', over: { headDim: 6, ropeTheta: 500000 } },
  'gpt2: every bias, tied (GPT-2, gpt2-preln)': { family: 'gpt2', over: { ...GPT2, normBias: true, attnBias: true, mlpBias: true } },
  'gpt2: no biases, untied, exact GELU (nanoGPT bias=False)': { family: 'gpt2', over: { ...GPT2, tied: false, gelu: 'exact' } },
  'gpt2: latent K/V (kv_heads = heads)': { family: 'gpt2', over: { ...GPT2, attention: 'latent', kvLatent: 8, attnBias: true } },
};

/** Variants whose export → import is the same architecture, so the tensors must come back bit-equal. */
export const ROUND_TRIP = ['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)', 'llama: mha, untied, attention and mlp biases', 'llama: head_dim 6 ≠ hidden/heads, theta 500000', 'gpt2: every bias, tied (GPT-2, gpt2-preln)'];
