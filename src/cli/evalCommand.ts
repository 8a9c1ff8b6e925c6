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
import { ONNX_FEEDS, type OnnxFeed } from './ship/onnxLoss.ts';
import { poetModelLoss } from './ship/poetLoss.ts';
import { decoderShapeOf } from './ship/onnxDecoder.ts';
import type { OnnxWeights } from '../model/formats/onnx/weightStorage.ts';

export const EVAL_HELP = `versiflow eval perplexity --checkpoint PATH [--data PATH|GLOB --text-column C --max-docs N --batch-size B --backend X --onnx fp32|fp16|int8 --onnx-feed window|token --json]
      perplexity of a checkpoint: on --data (every document), or by default on its run's validation split;
      --onnx: through the model build-chat ships with those weights (onnxruntime), beside tfjs's figure`;

const KNOWN = ['checkpoint', 'data', 'text-column', 'max-docs', 'batch-size', 'backend', 'json', 'onnx', 'onnx-feed'];
const ONNX_WEIGHTS: readonly OnnxWeights[] = ['fp32', 'fp16', 'int8'];
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`;

/**
 * `versiflow eval perplexity`: token-weighted mean loss and perplexity of a checkpoint, with the
 * checkpoint's own tokenizer, context and layout. Without --data it scores the validation split of
 * the run's corpus (same seed and val_fraction as training, so the figure matches its eval events).
 * `--onnx fp32|fp16|int8`: the same batches through the model `build-chat` embeds for those weights
 * (poetModelLoss, in onnxruntime-node), printed with tfjs's own figure and the relative difference.
 */
export async function evalCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args, ['json']);
    if (positional[0] !== 'perplexity') throw new ConfigError(`eval: expected "perplexity" as the first argument\n${EVAL_HELP}`);
    rejectUnknownFlags(flags, KNOWN, 'eval');
    if (!flags.checkpoint) throw new ConfigError('eval: --checkpoint PATH is required (a checkpoint or run directory)');
    const onnx = flags.onnx as OnnxWeights | undefined;
    if (onnx !== undefined && !ONNX_WEIGHTS.includes(onnx)) throw new ConfigError(`eval: --onnx must be one of ${ONNX_WEIGHTS.join(', ')} (the poet's weights; got "${flags.onnx}")`);
    const feed = (flags['onnx-feed'] ?? 'window') as OnnxFeed;
    if (!ONNX_FEEDS.includes(feed)) throw new ConfigError(`eval: --onnx-feed must be one of ${ONNX_FEEDS.join(', ')} (got "${flags['onnx-feed']}")`);
    if (flags['onnx-feed'] && !onnx) throw new ConfigError('eval: --onnx-feed needs --onnx fp32|fp16|int8');
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
      const split = flags.data ? 'all' : 'validation';
      const line = (l: number) => `perplexity ${Math.exp(l).toFixed(3)} (loss ${l.toFixed(4)} nats/token over ${tokens} tokens, ${examples.length} examples of the ${split} split of ${cfg.data}) at step ${m.step}`;
      if (!onnx) {
        const result = { checkpoint: m.dir, step: m.step, data: cfg.data, split, loss, perplexity: Math.exp(loss), tokens, examples: examples.length };
        io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${line(loss)}\n`);
        return 0;
      }
      const got = await poetModelLoss(m.dir, decoderShapeOf(m.gpt), onnx, batches, feed, (l) => io.stderr.write(`${l}\n`));
      const relative = { loss: got / loss - 1, perplexity: Math.exp(got - loss) - 1 };
      const result = { checkpoint: m.dir, step: m.step, data: cfg.data, split, onnx, feed, loss: got, perplexity: Math.exp(got), tokens, examples: examples.length, tfjs: { loss, perplexity: Math.exp(loss) }, relative };
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `${line(got)}, through the poet's ${onnx} ONNX model (onnxruntime, ${feed} feed)\n  tfjs: perplexity ${Math.exp(loss).toFixed(3)} (loss ${loss.toFixed(4)}); ${onnx} against tfjs: loss ${pct(relative.loss)}, perplexity ${pct(relative.perplexity)}\n`,
      );
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}
