import { configToSnake, normalizeConfig } from '../core/config/normalizeConfig.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { evaluateLoss } from '../model/nn/evaluate.ts';
import { withModel } from '../pipeline/withModel.ts';
import { prepareData } from '../pipeline/data/prepareData.ts';
import { scoringBatches } from '../pipeline/data/scoringBatches.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_HELP = `versiflow eval perplexity --checkpoint PATH [--data PATH|GLOB --text-column C --max-docs N --batch-size B --backend X --json]
      perplexity of a checkpoint: on --data (every document), or by default on its run's validation split`;

const KNOWN = ['checkpoint', 'data', 'text-column', 'max-docs', 'batch-size', 'backend', 'json'];

/**
 * `versiflow eval perplexity`: token-weighted mean loss and perplexity of a checkpoint, with the
 * checkpoint's own tokenizer, context and layout. Without --data it scores the validation split of
 * the run's corpus (same seed and val_fraction as training, so the figure matches its eval events).
 */
export async function evalCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args, ['json']);
    if (positional[0] !== 'perplexity') throw new ConfigError(`eval: expected "perplexity" as the first argument\n${EVAL_HELP}`);
    rejectUnknownFlags(flags, KNOWN, 'eval');
    if (!flags.checkpoint) throw new ConfigError('eval: --checkpoint PATH is required (a checkpoint or run directory)');
    return await withModel(flags.checkpoint, { backend: backendFlag(flags, 'eval'), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const own = configToSnake(m.config);
      const cfg = normalizeConfig(
        {
          ...own,
          ...(flags.data ? { data: flags.data, val_fraction: 0 } : {}),
          ...(flags['text-column'] ? { text_column: flags['text-column'] } : {}),
          ...(flags['max-docs'] ? { max_docs: flags['max-docs'] } : {}),
          ...(flags['batch-size'] ? { batch_size: flags['batch-size'] } : {}),
        },
        'command line',
      );
      const data = await prepareData(cfg, m.tokenizer);
      const examples = flags.data ? data.train : data.val;
      if (examples.length === 0) throw new DataError(`${cfg.data}: no ${flags.data ? '' : 'validation '}examples of ${cfg.context} tokens to score`);
      // batched as the training run's validation is (by length and trimmed, with trim_padding)
      const batches = scoringBatches(examples, cfg);
      data.close();
      const loss = await evaluateLoss(m.weights, m.gpt, batches, cfg.microBatch);
      const tokens = batches.reduce((n, b) => n + b.tokens, 0);
      const result = { checkpoint: m.dir, step: m.step, data: cfg.data, split: flags.data ? 'all' : 'validation', loss, perplexity: Math.exp(loss), tokens, examples: examples.length };
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `perplexity ${result.perplexity.toFixed(3)} (loss ${loss.toFixed(4)} nats/token over ${tokens} tokens, ${examples.length} examples of the ${result.split} split of ${cfg.data}) at step ${m.step}\n`,
      );
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}
