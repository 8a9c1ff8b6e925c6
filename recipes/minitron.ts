/**
 * Mini-Tron-50: a 48M chat model (10 × 512, learned 1024 × 512 positions, GELU) pretrained, tuned on
 * dialogues, then tuned on its own failures with KTO, and shipped as one executable:
 *   chat tokenizer → pretrain → SFT on data/dialogues.jsonl → preference pairs → KTO → chat executable.
 * Its architecture has no Transformers class: build-chat exports it for its own runtime (exportOnnx runtime: 'versiflow').
 * The pretraining dialogue corpus is not shipped: the shipped English poetry stands in (`--data`).
 */
import { buildChatCommand } from '../src/cli/buildChatCommand.ts';
import { preferencesCommand } from '../src/cli/preferencesCommand.ts';
import { command, defineRecipe, tokenizerStage, trainStage } from './_steps.ts';

/** The reference filter of the dialogue corpus (docs/chat.md). */
const FILTER = 'overall_score >= 6 and safety >= 8 and pii_leak == 0';

export default defineRecipe({
  name: 'minitron',
  summary: 'Mini-Tron-50 (configs/minitron-48m.yaml): pretrain → SFT on dialogues → preference pairs → KTO → single-file chat executable',
  published: 'Mini-Tron-50: 47.85M parameters (10 × 512, learned 1024 × 512 positions, V 32,000), 2 × 32 with accumulation, 16,000 iterations, clip 1.0; SFT then KTO at lr 5e-6',
  stages(ctx) {
    const smoke = ctx.scale === 'smoke';
    const tokenizer = 'tokenizer/tokenizer.json';
    // init_from keeps the architecture: every training stage names the same model keys
    const model = smoke ? { context: 64, layers: 2, hidden: 64, heads: 4, ffn: 256, dropout: 0, 'vocab-size': 512 } : {};
    const few = (steps: number, evalEvery: number) => (smoke ? { 'max-steps': steps, 'eval-every': evalEvery, 'eval-batches': 4, 'sample-tokens': 0 } : {});
    const pretrain = trainStage(ctx, {
      name: 'pretrain',
      does: smoke ? 'minitron-48m architecture at 2 × 64, 24 steps of 8 × 64 tokens' : 'configs/minitron-48m.yaml: 16,000 iterations of 2 × 32 × 1024 tokens',
      config: 'minitron-48m',
      flags: { data: ctx.data ?? 'data/en_poetry.parquet', tokenizer: ctx.path(tokenizer), ...model, ...(smoke ? { 'max-docs': 300, 'batch-size': 8, 'micro-batch': 8, lr: 3e-3, 'warmup-steps': 4 } : {}), ...few(24, 12) },
      dir: 'pretrain',
    });
    const sft = trainStage(ctx, {
      name: 'sft',
      does: `supervised tuning on data/dialogues.jsonl (${FILTER}), loss on assistant tokens only`,
      config: 'minitron-48m',
      flags: { task: 'sft', 'init-from': ctx.path('pretrain'), data: 'data/dialogues.jsonl', filter: FILTER, tokenizer: ctx.path(tokenizer), ...model, ...(smoke ? { 'batch-size': 8, 'micro-batch': 8, lr: 1e-3, 'warmup-steps': 2 } : { 'max-steps': 2000 }), ...few(16, 16) },
      dir: 'sft',
    });
    const kto = trainStage(ctx, {
      name: 'kto',
      does: 'KTO against the frozen SFT model on the preference pairs (configs/kto.yaml: lr 5e-6, β 0.1, drift guard)',
      config: 'kto',
      architecture: 'minitron-48m',
      flags: { 'init-from': ctx.path('sft'), data: ctx.path('prefs/prefs.jsonl'), ...(smoke ? { 'batch-size': 4, 'micro-batch': 4, 'val-fraction': 0.25, 'pref-quality-prompts': 2, 'pref-quality-tokens': 16, 'checkpoint-every': 0 } : {}), ...few(4, 4) },
      dir: 'kto',
    });
    return [
      { ...tokenizerStage({ config: 'minitron-48m', data: ctx.data ?? 'data/en_poetry.parquet', out: tokenizer, vocabSize: smoke ? 512 : undefined, maxDocs: smoke ? 300 : undefined, chat: true }) },
      pretrain,
      sft,
      {
        name: 'preferences',
        does: "the SFT model's completions under failure-provoking presets (loops, canned, tutorial) as rejected, the dialogues' answers as chosen",
        outputs: ['prefs/prefs.jsonl'],
        run: (c) => command(c, 'preferences generate', preferencesCommand, ['generate', '--checkpoint', c.path('sft'), '--prompts', 'data/dialogues.jsonl', '--filter', FILTER, '--limit', smoke ? '6' : '512', '--layout', 'unpaired', '--out', c.path('prefs/prefs.jsonl')]),
      },
      kto,
      {
        name: 'chat-executable',
        does: 'one executable file: Node single executable + onnxruntime + the ONNX export of the KTO model, chat REPL and --prompt',
        outputs: ['chat/minitron'],
        run: (c) => command(c, 'build-chat', buildChatCommand, ['--checkpoint', c.path('kto'), '--out', c.path('chat/minitron'), '--weights', smoke ? 'fp32' : 'int8', '--force']),
      },
    ];
  },
});
