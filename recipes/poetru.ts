/**
 * Poetru: a 75M Llama-style poet (latent K/V, SwiGLU, RoPE, 24k byte-level BPE) trained on Russian poetry
 * with a green-list watermark at generation. The pipeline, stage by stage:
 *   tokenizer → train → generate (watermarked) → perplexity → watermark eval → author space → report → export.
 * Smoke scale runs it all on the shipped poems with a 2-layer, 64-wide model of the same architecture.
 */
import { join } from 'node:path';
import { exportHf, writeReport } from '../src/index.ts';
import { evalAuthorsCommand } from '../src/cli/evalAuthorsCommand.ts';
import { evalCommand } from '../src/cli/evalCommand.ts';
import { evalWatermarkCommand } from '../src/cli/evalWatermarkCommand.ts';
import { generateEntry } from '../src/cli/generateBatchCommand.ts';
import { tokenizerCommand } from '../src/cli/tokenizerCommand.ts';
import { command, commandJson, defineRecipe, trainStage } from './_steps.ts';

/** The 75m.yaml architecture shrunk to seconds: same attention, MLP, norm and positions, tiny widths. */
const SMOKE_MODEL = { context: 64, layers: 2, hidden: 64, heads: 4, 'kv-heads': 2, 'head-dim': 16, 'kv-latent': 64, ffn: 128, dropout: 0 };

export default defineRecipe({
  name: 'poetru',
  summary: 'Poetru-75M: 24k BPE → train → watermarked generations → perplexity, watermark AUC, author space → report → HF export',
  published: 'Poetru-75M (configs/75m.yaml): 75M parameters, 24,000-token byte-level BPE, context 512, 3 epochs at batch 64, lr 3e-4 cosine',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const data = ctx.data ?? 'data/ru_poetry.parquet';
    const docs = smoke ? { 'max-docs': 300 } : {};
    const tokenizer = 'tokenizer/tokenizer.json';
    const gen = { n: smoke ? 8 : 64, tokens: smoke ? 48 : 200 };
    const train = trainStage(ctx, {
      name: 'train',
      does: smoke ? '75m.yaml architecture at 2 × 64, 24 steps of 8 × 64 tokens' : 'configs/75m.yaml: 3 epochs of the corpus',
      config: '75m',
      flags: {
        data,
        tokenizer: ctx.path(tokenizer),
        ...docs,
        ...(smoke ? { ...SMOKE_MODEL, 'vocab-size': 512, 'batch-size': 8, 'max-steps': 24, lr: 3e-3, 'warmup-steps': 5, 'eval-every': 12, 'eval-batches': 4, 'sample-tokens': 32 } : {}),
      },
      dir: 'run',
    });
    const run = ctx.path('run');
    const evalDir = join('run', 'eval');
    return [
      {
        name: 'tokenizer',
        does: `byte-level BPE of ${smoke ? 512 : '24,000'} tokens on ${data}`,
        outputs: [tokenizer],
        run: (c) => command(c, 'tokenizer train', tokenizerCommand, ['train', '--data', data, '--vocab-size', smoke ? '512' : '24000', '--out', c.path(tokenizer), ...(smoke ? ['--max-docs', '300'] : [])]),
      },
      train,
      {
        name: 'generate',
        does: `${gen.n} watermarked (poetru scheme) continuations of held-out poems' first tokens`,
        outputs: ['gen/generations.jsonl'],
        run: (c) => command(c, 'generate', generateEntry, ['--checkpoint', run, '--n', String(gen.n), '--prompts-from', 'val', '--max-new-tokens', String(gen.tokens), '--watermark', 'poetru', '--seed', '7', '--out', c.path('gen/generations.jsonl')]),
      },
      {
        name: 'perplexity',
        does: 'validation perplexity of the final checkpoint',
        outputs: [join(evalDir, 'perplexity.json')],
        run: (c) => commandJson(c, 'eval perplexity', evalCommand, ['perplexity', '--checkpoint', run], join(evalDir, 'perplexity.json')).then(() => undefined),
      },
      {
        name: 'watermark-eval',
        does: `${gen.n} watermarked generations vs ${gen.n} held-out texts: accuracy, F1, ROC AUC`,
        outputs: [join(evalDir, 'watermark_metrics.json'), join(evalDir, 'watermark_scores.csv')],
        run: (c) => command(c, 'eval watermark', evalWatermarkCommand, ['--checkpoint', run, '--n', String(gen.n), '--max-new-tokens', String(gen.tokens), '--seed', '11']),
      },
      {
        name: 'author-space',
        does: 'mean-pooled hidden states of real poems per author vs the generations: distance, permutation test, PCA',
        outputs: [join(evalDir, 'author_pca_stats.json'), join(evalDir, 'author_pca_points.csv')],
        run: (c) => command(c, 'eval authors', evalAuthorsCommand, ['--checkpoint', run, '--texts', c.path('gen/generations.jsonl'), ...(smoke ? ['--min-texts', '5', '--max-per-author', '10', '--permutations', '200'] : [])]),
      },
      {
        name: 'report',
        does: 'the run as one HTML page: curves, evaluations, samples',
        outputs: ['run/report/index.html'],
        run: async () => void (await writeReport(run, { samples: 3 })),
      },
      {
        name: 'export',
        does: 'a Hugging Face Transformers folder (LlamaForCausalLM, safetensors, tokenizer, model card)',
        outputs: ['export/hf/config.json', 'export/hf/model.safetensors', 'export/hf/tokenizer.json'],
        run: async (c) => void (await exportHf({ checkpoint: run, out: c.path('export/hf'), language: ['ru'], force: true })),
      },
    ];
  },
});
