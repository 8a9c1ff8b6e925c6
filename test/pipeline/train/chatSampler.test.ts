import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { generateTokens } from '../../../src/model/nn/generate.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TOKENS, renderChat } from '../../../src/model/tokenizer/chatTemplate.ts';
import { CHAT_SAMPLE_PROMPT, sampler } from '../../../src/pipeline/train/sampler.ts';
import type { StepState } from '../../../src/core/stepState.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('training samples of a chat run', () => {
  it('task sft samples the answer to a user message through the chat template, up to <|end|>', async () => {
    const tok = trainBpe(['Привет! Как дела? Хорошо, спасибо.'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS] });
    const gpt = resolveGptConfig({ vocabSize: tok.vocabSize, context: 64, layers: 1, hidden: 32, heads: 4, kvHeads: 2, headDim: 8, ffn: 64, normEps: 1e-5, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.3 });
    const w = initWeights(gpt, 3);
    try {
      const cfg = { seed: 1, samplePrompt: '', sampleTokens: 12, temperature: 0, topK: 0 };
      const got = await sampler(w, gpt, tok, { ...cfg, task: 'sft' })({ step: 5 } as StepState);
      expect(got.prompt).toBe(CHAT_SAMPLE_PROMPT);
      let text = '';
      const ids = tok.encode(renderChat([{ role: 'user', content: CHAT_SAMPLE_PROMPT }], { addGenerationPrompt: true }));
      for await (const t of generateTokens({ weights: w, config: gpt, tokenizer: tok }, ids, { maxNewTokens: 12, temperature: 0, topK: 0, eosIds: [tok.tokenToId('<|end|>')] })) text += t.text;
      expect(got.text).toBe(text);
      // a pretraining run samples from sample_prompt as text, as before
      expect((await sampler(w, gpt, tok, { ...cfg, samplePrompt: 'Привет' })({ step: 5 } as StepState)).prompt).toBe('Привет');
    } finally {
      disposeWeights(w);
    }
  });
});
