import { initWeights } from '../../../src/model/nn/gpt.ts';
import type { GenerateModel } from '../../../src/model/nn/generate.ts';
import type { GptConfigInput } from '../../../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { randomizeWeights } from './ref64.ts';
import { tiny } from './tiny.ts';

/** Characters of the test tokenizer: 40 symbols + 3 specials = vocab 43. */
export const CHARS = 'abcdefghijklmnopqrstuvwxyz .,!?\n0123456789'.split('').slice(0, 40);

/** A seeded random-weight char model for generation tests (context 64 unless overridden); dispose its weights. */
export function genModel(over: Partial<GptConfigInput> = {}, seed = 9): GenerateModel & { weights: ReturnType<typeof initWeights> } {
  const tokenizer = new CharTokenizer(CHARS);
  const config = tiny({ vocabSize: tokenizer.vocabSize, context: 64, ...over });
  const weights = initWeights(config, seed);
  randomizeWeights(weights, seed + 1, 0.25);
  return { weights, config, tokenizer };
}
