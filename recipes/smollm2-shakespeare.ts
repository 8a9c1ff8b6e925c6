/**
 * SmolLM2-135M on Tiny Shakespeare: the 30-layer, 576-wide Llama (GQA 9/3, SwiGLU, tied) from scratch on
 * ~1M characters: byte-level BPE → train → generate → perplexity → report → export (LlamaForCausalLM).
 */
import { defineRecipe, exportStage, generateStage, perplexityStage, reportStage, tokenizerStage, trainStage } from './_steps.ts';

export default defineRecipe({
  name: 'smollm2-shakespeare',
  summary: 'SmolLM2-135M (configs/smollm2-135m.yaml) on Tiny Shakespeare: BPE → train → samples → perplexity → report → HF export',
  published: 'SmolLM2-135M shape: 30 layers × 576, 9 heads / 3 KV heads, 134.5M parameters at V 49,152; the source run trained 16 × 256 for 5,050 steps with 500 warmup',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const data = ctx.data ?? 'data/tinyshakespeare.parquet';
    const tokenizer = 'tokenizer/tokenizer.json';
    const train = trainStage(ctx, {
      name: 'train',
      does: smoke ? 'smollm2-135m architecture at 2 × 64, 24 steps of 8 × 64 tokens' : 'configs/smollm2-135m.yaml as its source trained it',
      config: 'smollm2-135m',
      flags: {
        data,
        tokenizer: ctx.path(tokenizer),
        ...(smoke ? { context: 64, layers: 2, hidden: 64, heads: 4, 'kv-heads': 2, 'head-dim': 16, ffn: 128, 'vocab-size': 512, 'batch-size': 8, 'max-steps': 24, lr: 3e-3, 'warmup-steps': 5, 'eval-every': 12, 'eval-batches': 4, 'sample-tokens': 32 } : {}),
      },
      dir: 'run',
    });
    return [
      tokenizerStage({ config: 'smollm2-135m', data, out: tokenizer, vocabSize: smoke ? 512 : undefined }),
      train,
      generateStage('run', { n: smoke ? 4 : 16, maxNewTokens: smoke ? 48 : 300 }),
      perplexityStage('run'),
      reportStage('run'),
      exportStage('run', { language: ['en'] }),
    ];
  },
});
