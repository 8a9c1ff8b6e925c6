/**
 * 1gpu-llm: a GPT-2 pre-LN model (12 × 768, learned positions, biases) trained on one GPU with a
 * warmup-stable-decay schedule, whose decay is run as a tail branched from a stable-phase checkpoint,
 * then the best tail checkpoint chosen on validation and its decoding tuned:
 *   tokenizer → mixture config → WSD stable run → decay tail → checkpoint selection → decoding sweep → export.
 * The English/Italian corpus is not shipped: English and French poetry stand in as a two-source mixture.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readConfigFile, resolveConfigPath } from '../src/pipeline/loadConfig.ts';
import { evalCheckpointsCommand } from '../src/cli/evalCheckpointsCommand.ts';
import { evalSweepCommand } from '../src/cli/evalSweepCommand.ts';
import { command, commandJson, defineRecipe, exportStage, tokenizerStage, trainStage } from './_steps.ts';

const MIXTURE = [
  { path: 'data/en_poetry.parquet', weight: 3, name: 'en' },
  { path: 'data/fr_poetry.parquet', weight: 1, name: 'fr' },
];

export default defineRecipe({
  name: '1gpu-llm',
  summary: '1gpu-llm (configs/gpt2-preln-136m.yaml): mixture → WSD stable run → decay tail → checkpoint selection → decoding sweep → HF export',
  published: '1gpu-llm small: 136,128,000 parameters (12 × 768, V 64,000, context 2,500), 240,000 tokens a step (6 × 16 × 2,500), WSD with decay-only tails, benchmark selection over the tail',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const tokenizer = 'tokenizer/tokenizer.json';
    const sources = ctx.data ?? MIXTURE.map((m) => m.path).join(',');
    // smoke: 2 × 64, 8 rows a step in micro-batches of 4 (accumulation as the source's 6 × 16), 24 stable steps, a tail of 8 from step 12
    const stableSteps = smoke ? 24 : 20000;
    const branch = smoke ? 12 : 16000;
    const tailSteps = smoke ? 8 : 4000;
    const shape = smoke
      ? { 'max-docs': 300, context: 64, layers: 2, hidden: 64, heads: 4, ffn: 256, 'vocab-size': 512, 'batch-size': 8, 'micro-batch': 4, lr: 3e-3, 'warmup-steps': 4, 'eval-every': 8, 'eval-batches': 4, 'sample-tokens': 0 }
      : {};
    const stable = trainStage(ctx, {
      name: 'stable',
      does: `WSD run of ${stableSteps} steps with a checkpoint every ${smoke ? 4 : 2000} (its stable phase is what the tails branch from)`,
      config: 'gpt2-preln-136m',
      runConfig: 'config.yaml',
      flags: { tokenizer: ctx.path(tokenizer), ...shape, 'max-steps': stableSteps, 'checkpoint-every': smoke ? 4 : 2000, 'keep-checkpoints': 0 },
      dir: 'stable',
    });
    const from = join('stable', 'checkpoints', `step-${String(branch).padStart(7, '0')}`);
    const tail = trainStage(ctx, {
      name: 'decay-tail',
      does: `decay-only tail: ${tailSteps} steps from the stable checkpoint at step ${branch}, linear to min_lr, a checkpoint every ${smoke ? 2 : 500}`,
      config: 'gpt2-preln-136m',
      runConfig: 'config.yaml',
      flags: { tokenizer: ctx.path(tokenizer), ...shape, 'decay-from': ctx.path(from), 'decay-steps': tailSteps, 'max-steps': branch + tailSteps, 'checkpoint-every': smoke ? 2 : 500, 'keep-checkpoints': 0 },
      dir: 'tail',
    });
    return [
      tokenizerStage({ config: 'gpt2-preln-136m', data: sources, out: tokenizer, vocabSize: smoke ? 512 : undefined, maxDocs: smoke ? 300 : undefined }),
      {
        name: 'mixture',
        does: `the config with its data as a weighted mixture (${ctx.data ? ctx.data : MIXTURE.map((m) => `${m.name} ×${m.weight}`).join(', ')})`,
        outputs: ['config.yaml'],
        async run(c) {
          const base = readConfigFile(resolveConfigPath('gpt2-preln-136m'));
          const data = c.data ? { data: c.data } : { data: MIXTURE, data_mix: 'weights' };
          writeFileSync(c.path('config.yaml'), stringify({ ...base, ...data }));
        },
      },
      stable,
      tail,
      {
        name: 'selection',
        does: "every tail checkpoint on the validation split; the best into tail/best_validation.json (then tail/best is it)",
        outputs: ['tail/best_validation.json', 'tail/comparison.json'],
        run: (c) => command(c, 'eval checkpoints', evalCheckpointsCommand, [c.path('tail')]),
      },
      {
        name: 'decoding-sweep',
        does: 'decoding settings scored on tuning prompts, the top re-run on held-out prompts; recommended_decoding.json beside the tail',
        outputs: ['tail/recommended_decoding.json', 'tail/tuning_leaderboard.csv'],
        run: async (c) =>
          void (await commandJson(c, 'eval sweep', evalSweepCommand, ['--checkpoint', c.path('tail/best'), '--prompts-from', 'val', '--n', smoke ? '6' : '64', '--max-new-tokens', smoke ? '24' : '200', ...(smoke ? ['--grid', 'temperature=0.7,1.0', '--top', '1'] : [])], 'eval/sweep.json')),
      },
      exportStage('tail/best', { language: ['en'] }),
    ];
  },
});
