import type { Config } from '../../core/config/schema.ts';
import type { StepState } from '../../core/stepState.ts';
import { generateIds } from '../../model/nn/generate.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { deriveSeed, Rng } from '../../model/nn/rng.ts';
import { chatStopIds } from '../../model/tokenizer/chatPrompt.ts';
import { encodeChat, hasChatTokens } from '../../model/tokenizer/chatTemplate.ts';
import { promptIds } from '../../model/tokenizer/documentIds.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';

/** The user message a chat run (task sft) samples an answer to when sample_prompt is empty. */
export const CHAT_SAMPLE_PROMPT = 'Привет! Как дела?';

/**
 * The sample a run prints at evaluations: sample_tokens from sample_prompt (or EOS, the start of a
 * poem), with a seed derived from (seed, step) so a resumed run samples the same text. A chat run
 * (task sft, a tokenizer with the chat tokens) samples the assistant's answer to sample_prompt as a
 * user message (default {@link CHAT_SAMPLE_PROMPT}), rendered by the chat template, up to `<|end|>`.
 */
export function sampler(
  weights: Weights,
  gcfg: GptConfig,
  tokenizer: Tokenizer,
  cfg: Pick<Config, 'seed' | 'samplePrompt' | 'sampleTokens' | 'temperature' | 'topK'> & Partial<Pick<Config, 'task'>>,
): (s: StepState) => Promise<{ prompt: string; text: string }> {
  const chat = cfg.task === 'sft' && hasChatTokens(tokenizer);
  const prompt = chat ? cfg.samplePrompt || CHAT_SAMPLE_PROMPT : cfg.samplePrompt;
  const startIds = chat ? encodeChat(tokenizer, [{ role: 'user', content: prompt }], { addGenerationPrompt: true }).ids : promptIds(tokenizer, cfg.samplePrompt);
  const stop = chat ? chatStopIds(tokenizer)[0] : tokenizer.eosId;
  return async (s) => {
    const rng = new Rng(deriveSeed(cfg.seed, s.step, 0x5a));
    const ids = await generateIds(weights, gcfg, startIds, cfg.sampleTokens, { temperature: cfg.temperature, topK: cfg.topK }, rng, stop);
    return { prompt, text: tokenizer.decode(ids) };
  };
}
