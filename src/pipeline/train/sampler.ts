import type { Config } from '../../core/config/schema.ts';
import type { StepState } from '../../core/stepState.ts';
import { generateIds } from '../../model/nn/generate.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { deriveSeed, Rng } from '../../model/nn/rng.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';

/**
 * The sample a run prints at evaluations: sample_tokens from sample_prompt (or EOS, the start of a
 * poem), with a seed derived from (seed, step) so a resumed run samples the same text.
 */
export function sampler(
  weights: Weights,
  gcfg: GptConfig,
  tokenizer: Tokenizer,
  cfg: Pick<Config, 'seed' | 'samplePrompt' | 'sampleTokens' | 'temperature' | 'topK'>,
): (s: StepState) => Promise<{ prompt: string; text: string }> {
  const promptIds = cfg.samplePrompt ? tokenizer.encode(cfg.samplePrompt) : [tokenizer.eosId >= 0 ? tokenizer.eosId : 0];
  return async (s) => {
    const rng = new Rng(deriveSeed(cfg.seed, s.step, 0x5a));
    const ids = await generateIds(weights, gcfg, promptIds, cfg.sampleTokens, { temperature: cfg.temperature, topK: cfg.topK }, rng, tokenizer.eosId);
    return { prompt: cfg.samplePrompt, text: tokenizer.decode(ids) };
  };
}
