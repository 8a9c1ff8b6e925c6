import { AdamW } from '../../src/model/nn/adamw.ts';
import { stackExamples } from '../../src/model/nn/batch.ts';
import type { Batch } from '../../src/core/batch.ts';
import { initWeights } from '../../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../src/model/nn/gptConfig.ts';
import type { StepInput, StepState } from '../../src/core/stepState.ts';

/** A 2-layer GQA model with vocab 16, T 8: fast on the cpu backend. */
export function tinyModel(seed = 1) {
  const config = resolveGptConfig({ vocabSize: 16, context: 8, layers: 2, hidden: 16, heads: 4, kvHeads: 2, headDim: 0, ffn: 32, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
  const weights = initWeights(config, seed);
  const decay = new Set(paramSpecs(config).filter((s) => s.decay).map((s) => s.name));
  const optimizer = new AdamW(weights, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  return { config, weights, optimizer };
}

/** A batch of B repeating sequences 0,1,2,... (learnable: next = current + 1 mod 16). */
export function countingBatch(B = 4, T = 8, offset = 0): Batch {
  return stackExamples(
    Array.from({ length: B }, (_, b) => ({
      ids: Int32Array.from({ length: T + 1 }, (_, t) => (offset + b + t) % 16),
      mask: new Float32Array(T).fill(1),
    })),
  );
}

export const inputs = (n: number): StepInput[] => Array.from({ length: n }, (_, i) => ({ step: i + 1, epoch: (i + 1) / n, batch: countingBatch(4, 8, i), final: i === n - 1 }));

export const state = (step: number, final = false): StepState => ({ step, epoch: step / 10, final, lr: 1e-3, tokens: step * 32, events: [] });
