import { type GptConfigInput, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../../../src/core/config/gptConfig.ts';
import type { Batch } from '../../../src/core/batch.ts';
import { Rng } from '../../../src/model/nn/rng.ts';

/** A tiny model for maths tests: V 11, T 6, 2 layers, C 16, 4 heads of 4 (2 KV heads), F 24. */
export function tiny(over: Partial<GptConfigInput> = {}): GptConfig {
  return resolveGptConfig({
    vocabSize: 11, context: 6, layers: 2, hidden: 16, heads: 4, kvHeads: 2, headDim: 4, ffn: 24,
    normEps: 1e-5, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02, ...over,
  });
}

/**
 * One configuration per block, so every option is exercised by a forward and a gradient check:
 * name → overrides of `tiny`.
 */
export const BLOCK_VARIANTS: Readonly<Record<string, Partial<GptConfigInput>>> = {
  'rms + rope half + gqa + swiglu (defaults)': {},
  'layer norm with bias + learned positions + mha + gelu + biases + untied': {
    norm: 'layer', normBias: true, positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', attnBias: true, mlpBias: true, tied: false,
  },
  'rope interleaved + latent attention + fused gate_up with bias': {
    ropeStyle: 'interleaved', attention: 'latent', kvLatent: 12, fusedGateUp: true, mlpBias: true,
  },
  'layer norm without bias + rope + gqa + swiglu unfused with bias + attn bias': {
    norm: 'layer', attnBias: true, mlpBias: true, kvHeads: 1,
  },
  'rms + learned positions + mha + exact (erf) gelu (Mini-Tron)': {
    positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', gelu: 'exact',
  },
};

/** A seeded batch of B rows of T tokens (x, next-token y, all positions counted). */
export function randomBatch(c: GptConfig, B: number, T: number, seed: number): Batch & { xs: number[][]; ys: number[][] } {
  const rng = new Rng(seed);
  const rows = Array.from({ length: B }, () => Array.from({ length: T + 1 }, () => rng.int(c.vocabSize)));
  const xs = rows.map((r) => r.slice(0, T));
  const ys = rows.map((r) => r.slice(1));
  return { B, T, x: Int32Array.from(xs.flat()), y: Int32Array.from(ys.flat()), mask: new Float32Array(B * T).fill(1), tokens: B * T, xs, ys };
}
