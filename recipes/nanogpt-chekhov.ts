/**
 * nanoGPT-chekhov: Karpathy's shakespeare_char recipe (6 × 384, context 256, dropout 0.2, 5,000 iterations)
 * on a character-level Russian corpus: train → generate → perplexity → report → export (GPT2LMHeadModel).
 * The Chekhov text is not shipped: the shipped Russian poetry stands in (`--data` takes yours).
 */
import { defineRecipe, exportStage, generateStage, perplexityStage, reportStage, trainStage } from './_steps.ts';

export default defineRecipe({
  name: 'nanogpt-chekhov',
  summary: 'nanoGPT char (configs/char-10m.yaml): 10.8M-parameter character model → samples → perplexity → report → HF export',
  published: 'nanoGPT shakespeare_char recipe: 10.70M parameters as nanoGPT counts them (10,797,312 with positions), 6 layers × 384, 6 heads, context 256, batch 64, 5,000 iterations, lr 1e-3, dropout 0.2',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const train = trainStage(ctx, {
      name: 'train',
      does: smoke ? 'char-10m architecture at 2 × 64, 24 steps of 8 × 64 characters' : 'configs/char-10m.yaml: 5,000 steps of 64 × 256 characters',
      config: 'char-10m',
      flags: {
        data: ctx.data ?? 'data/ru_poetry.parquet',
        ...(smoke ? { 'max-docs': 300, context: 64, layers: 2, hidden: 64, heads: 4, ffn: 256, dropout: 0, 'batch-size': 8, 'max-steps': 24, lr: 3e-3, 'warmup-steps': 5, 'eval-every': 12, 'eval-batches': 4, 'sample-tokens': 32 } : {}),
      },
      dir: 'run',
      vocabGuess: 201,
    });
    return [
      train,
      generateStage('run', { n: smoke ? 4 : 16, maxNewTokens: smoke ? 64 : 500, flags: ['--temperature', '0.8', '--top-k', '200'] }),
      perplexityStage('run'),
      reportStage('run'),
      exportStage('run', { language: ['ru'] }),
    ];
  },
});
