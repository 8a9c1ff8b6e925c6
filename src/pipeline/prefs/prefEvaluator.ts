import type { GptConfig } from '../../core/config/gptConfig.ts';
import { behaviourMetrics } from '../../eval/behaviour.ts';
import { generateMany } from '../../model/nn/generateBatch.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import { logpsOf, pairBatches, pairStats, type PreferencePair } from '../../model/nn/preference/preferenceStep.ts';
import { completionLengths } from '../../model/nn/preference/sequenceLogps.ts';
import { specialTokenId } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import type { PrefEvaluation } from '../../operators/prefEvalEvery.ts';

export interface PrefEvaluatorOptions {
  readonly policy: Weights;
  readonly reference: Weights;
  readonly gpt: GptConfig;
  readonly tokenizer: Tokenizer;
  readonly val: readonly PreferencePair[];
  readonly qualityPrompts: readonly (readonly number[])[];
  readonly qualityTokens: number;
  readonly beta: number;
  readonly microBatch: number;
  /** Sampling of the quality check (the run's temperature and top_k), seeded the same at every evaluation. */
  readonly temperature: number;
  readonly topK: number;
  readonly seed: number;
}

/** Ids that end an answer: EOS and, for a chat tokenizer, `<|end|>`. */
export function stopIds(tokenizer: Tokenizer): number[] {
  return [tokenizer.eosId, specialTokenId(tokenizer, '<|end|>')].filter((id) => id >= 0);
}

/**
 * The preference run's evaluation: accuracy of preferring the chosen completion on the held-out pairs
 * (policy vs reference log-ratios), and the generation-quality check — the policy continues the same
 * prompts with the same seed every time, scored by the behaviour metrics of src/eval/behaviour.ts:
 * score = completion_rate − loop_rate − repeated_4gram_rate (a missing metric counts 0).
 */
export function prefEvaluator(o: PrefEvaluatorOptions): () => Promise<PrefEvaluation> {
  return async () => {
    let acc = { accuracy: NaN, margin: NaN, logRatio: NaN };
    if (o.val.length) {
      const parts = pairBatches(o.val, o.gpt, { microBatch: o.microBatch, pad: 0 });
      const s = pairStats(await logpsOf(o.policy, o.gpt, parts), await logpsOf(o.reference, o.gpt, parts), parts.map(completionLengths), o.beta);
      acc = { accuracy: s.accuracy, margin: s.margin, logRatio: s.meanLogratio };
    }
    if (!o.qualityPrompts.length) return { ...acc, pairs: o.val.length };
    const gens = await generateMany({ weights: o.policy, config: o.gpt, tokenizer: o.tokenizer }, o.qualityPrompts, {
      maxNewTokens: o.qualityTokens,
      temperature: o.temperature,
      topK: o.topK,
      eosIds: stopIds(o.tokenizer),
      seed: o.seed,
    });
    const m = behaviourMetrics(gens.map((g) => ({ text: g.text, finish: g.finish })));
    const score = (m.completion_rate ?? 0) - (m.loop_rate ?? 0) - (m.repeated_4gram_rate ?? 0);
    const nan = (v: number | null) => v ?? NaN;
    return {
      ...acc,
      pairs: o.val.length,
      quality: { score, loopRate: nan(m.loop_rate), repeated4gramRate: nan(m.repeated_4gram_rate), completionRate: nan(m.completion_rate), distinct2: nan(m.distinct_2) },
    };
  };
}
