/**
 * Tiny Poetic LLM: a 40M Llama-style model on French poetry with a BPE of only 128 tokens built from
 * characters (letters of both cases and frequent groups), sampled cold:
 * BPE-128 → train → generate at temperature 0.3 → perplexity → report → export (LlamaForCausalLM).
 */
import { defineRecipe, exportStage, generateStage, perplexityStage, reportStage, tokenizerStage, trainStage } from './_steps.ts';

export default defineRecipe({
  name: 'tiny-poetic-llm',
  summary: 'Tiny Poetic LLM (configs/french-40m.yaml): character-initial BPE-128 → train → generate at T 0.3 → perplexity → report → HF export',
  published: 'Tiny Poetic LLM: 10 layers × 576, 9 heads, ≈40M parameters, a 128-token character-initial BPE, French poetry, sampled at temperature < 0.4',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const data = ctx.data ?? 'data/fr_poetry.parquet';
    const tokenizer = 'tokenizer/tokenizer.json';
    const train = trainStage(ctx, {
      name: 'train',
      does: smoke ? 'french-40m architecture at 2 × 64, 24 steps of 8 × 64 tokens' : 'configs/french-40m.yaml: 5,000 steps of 32 × 512 tokens',
      config: 'french-40m',
      flags: {
        data,
        tokenizer: ctx.path(tokenizer),
        ...(smoke ? { 'max-docs': 300, context: 64, layers: 2, hidden: 64, heads: 4, 'head-dim': 16, ffn: 128, dropout: 0, 'batch-size': 8, 'max-steps': 24, lr: 3e-3, 'warmup-steps': 5, 'eval-every': 12, 'eval-batches': 4, 'sample-tokens': 32 } : {}),
      },
      dir: 'run',
    });
    return [
      tokenizerStage({ config: 'french-40m', data, out: tokenizer, maxDocs: smoke ? 300 : undefined }),
      train,
      generateStage('run', { n: smoke ? 4 : 16, maxNewTokens: smoke ? 64 : 400, flags: ['--temperature', '0.3'], does: 'continuations of held-out poems at temperature 0.3 (the source sampled below 0.4)' }),
      perplexityStage('run'),
      reportStage('run'),
      exportStage('run', { language: ['fr'] }),
    ];
  },
});
