import { ConfigError } from '../core/errors/ConfigError.ts';
import { CHECKPOINT_METRICS, type CheckpointMetric } from '../eval/checkpointComparison.ts';
import { setupBackend } from '../model/backend/setupBackend.ts';
import { compareCheckpoints, writeCheckpointComparison } from '../pipeline/compareCheckpoints.ts';
import { numberFlag } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_CHECKPOINTS_HELP = `versiflow eval checkpoints RUN [--last K --metric val_loss|perplexity --backend X --json]
      every (or the newest K) checkpoint of RUN on its validation split; the best into RUN/best_validation.json, all into
      RUN/comparison.json; then --checkpoint RUN/best (or --resume best) means that checkpoint`;

const KNOWN = ['last', 'metric', 'backend', 'json'];

/** `versiflow eval checkpoints RUN`: scores the run's checkpoints (src/pipeline/compareCheckpoints.ts) and writes the pick. */
export async function evalCheckpointsCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval checkpoints';
    const { positional, flags } = parseArgs(args, ['json']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (positional.length !== 1) throw new ConfigError(`${where}: give one run directory\n${EVAL_CHECKPOINTS_HELP}`);
    const last = numberFlag(flags, 'last', 0, where);
    if (!Number.isInteger(last) || last < 0) throw new ConfigError(`${where}: --last must be an integer ≥ 0 (0 = every checkpoint), got ${flags.last}`);
    const metric = flags.metric ?? 'val_loss';
    if (!(CHECKPOINT_METRICS as readonly string[]).includes(metric)) throw new ConfigError(`${where}: --metric must be one of ${CHECKPOINT_METRICS.join(', ')}; got "${metric}"`);
    await setupBackend(backendFlag(flags, where));
    const c = await compareCheckpoints(positional[0], {
      last,
      metric: metric as CheckpointMetric,
      warn: (w) => io.stderr.write(`warning: ${w}\n`),
      onScore: (r, i, n) => flags.json || io.stdout.write(`[${i + 1}/${n}] step ${r.step}: val_loss ${r.val_loss.toFixed(4)}, perplexity ${r.perplexity.toFixed(3)} (${r.tokens} tokens) ${r.path}\n`),
    });
    const files = writeCheckpointComparison(c);
    const b = c.best;
    io.stdout.write(
      flags.json
        ? `${JSON.stringify({ metric: c.metric, best: b, checkpoints: c.rows, files })}\n`
        : `best by ${c.metric}: step ${b.step} (${b.path}), ${c.metric} ${b[c.metric].toFixed(4)} of ${c.rows.length} checkpoints → ${files.best}, ${files.comparison}\n`,
    );
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
