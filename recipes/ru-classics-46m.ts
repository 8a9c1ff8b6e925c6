/**
 * ru-classics 46M: a GPT-2-style model (12 × 512, learned positions, LayerNorm, exact GELU) on Russian
 * classic prose with its SentencePiece BPE of 16k (byte fallback, user-defined symbols):
 * tokenizer → train → generate → perplexity → report → export (GPT2LMHeadModel).
 * The 21-novel corpus is not shipped: the shipped Russian poetry stands in (`--data` takes yours).
 */
import { defineRecipe, exportStage, generateStage, perplexityStage, reportStage, tokenizerStage, trainStage } from './_steps.ts';

export default defineRecipe({
  name: 'ru-classics-46m',
  summary: 'ru-classics 46M (configs/classics-46m.yaml): SentencePiece BPE 16k → train → samples → perplexity → report → HF export',
  published: 'classics-46m: 12 layers × 512, 8 heads, context 512, learned positions, SentencePiece BPE of 16,000 with byte fallback and user-defined symbols; 45.95M parameters as nanoGPT counts them (46,215,680 with positions)',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const data = ctx.data ?? 'data/ru_poetry.parquet';
    const tokenizer = 'tokenizer/tokenizer.json';
    const vocab = smoke ? 1024 : undefined; // byte fallback needs the 256 byte tokens and the alphabet beside them
    const train = trainStage(ctx, {
      name: 'train',
      does: smoke ? 'classics-46m architecture at 2 × 64, 24 steps of 8 × 64 tokens' : 'configs/classics-46m.yaml: 20,000 steps of 32 × 512 tokens',
      config: 'classics-46m',
      flags: {
        data,
        tokenizer: ctx.path(tokenizer),
        ...(smoke ? { 'max-docs': 300, context: 64, layers: 2, hidden: 64, heads: 4, ffn: 256, dropout: 0, 'vocab-size': vocab, 'batch-size': 8, 'max-steps': 24, lr: 3e-3, 'warmup-steps': 5, 'eval-every': 12, 'eval-batches': 4, 'sample-tokens': 32 } : {}),
      },
      dir: 'run',
    });
    return [
      tokenizerStage({ config: 'classics-46m', data, out: tokenizer, vocabSize: vocab, maxDocs: smoke ? 300 : undefined }),
      train,
      generateStage('run', { n: smoke ? 4 : 16, maxNewTokens: smoke ? 48 : 300 }),
      perplexityStage('run'),
      reportStage('run'),
      exportStage('run', { language: ['ru'] }),
    ];
  },
});
