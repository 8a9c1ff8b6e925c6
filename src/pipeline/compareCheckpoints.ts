import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Config } from '../core/config/schema.ts';
import { CheckpointError } from '../core/errors/CheckpointError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { bestCheckpoint, bestValidationJson, type CheckpointMetric, type CheckpointScore, comparisonJson } from '../eval/checkpointComparison.ts';
import { evaluateLoss } from '../model/nn/evaluate.ts';
import { disposeWeights } from '../model/nn/gpt.ts';
import type { Tokenizer } from '../model/tokenizer/types.ts';
import { BEST_VALIDATION_FILE } from '../streams/checkpoints/bestCheckpoint.ts';
import { listCheckpoints } from '../streams/checkpoints/checkpointStore.ts';
import { prepareData } from './data/prepareData.ts';
import { scoringBatches } from './data/scoringBatches.ts';
import { loadModel } from './withModel.ts';

export interface CompareCheckpointsOptions {
  /** Only the newest K checkpoints (0 = all). @default 0 */
  readonly last?: number;
  /** What "best" means. @default 'val_loss' */
  readonly metric?: CheckpointMetric;
  /** Called after each checkpoint is scored (progress). */
  readonly onScore?: (row: CheckpointScore, index: number, total: number) => void;
  /** A checkpoint that cannot be read is skipped with this message. */
  readonly warn?: (message: string) => void;
}

export interface CheckpointComparison {
  readonly runDir: string;
  readonly metric: CheckpointMetric;
  readonly data: string;
  /** Every scored checkpoint, oldest first. */
  readonly rows: readonly CheckpointScore[];
  readonly best: CheckpointScore;
}

/**
 * Scores every checkpoint (or the newest `last`) of the run at `runDir` on the run's validation
 * split, exactly as `eval perplexity` does (each checkpoint's tokenizer, context and layout; the
 * split's examples batched by scoringBatches; token-weighted mean loss), and picks the best by
 * `metric`. The split is prepared once and reused while the checkpoints share tokenizer and layout.
 * Uses the current tfjs backend (set it up first); each checkpoint's weights are disposed after.
 * @throws CheckpointError when the run has no readable checkpoint; DataError with no validation split.
 */
export async function compareCheckpoints(runDir: string, opts: CompareCheckpointsOptions = {}): Promise<CheckpointComparison> {
  const run = resolve(runDir);
  const metric = opts.metric ?? 'val_loss';
  let dirs = await listCheckpoints(join(run, 'checkpoints'));
  if (dirs.length === 0) throw new CheckpointError(`${runDir}: no checkpoints under ${join(run, 'checkpoints')}`);
  if (opts.last && opts.last > 0) dirs = dirs.slice(-opts.last);
  const rows: CheckpointScore[] = [];
  let split = null as { key: string; batches: ReturnType<typeof scoringBatches>; data: string } | null;
  for (const [i, dir] of dirs.entries()) {
    let m: Awaited<ReturnType<typeof loadModel>>;
    try {
      m = await loadModel(dir);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      opts.warn?.(`skipped checkpoint ${dir}: ${e.message}`);
      continue;
    }
    try {
      const key = splitKey(m.config, m.tokenizer);
      if (split?.key !== key) split = { key, batches: await validationSplit(m.config, m.tokenizer), data: m.config.data };
      const loss = await evaluateLoss(m.weights, m.gpt, split.batches, m.config.microBatch);
      const row: CheckpointScore = { step: m.step, path: relative(run, m.dir), val_loss: loss, perplexity: Math.exp(loss), tokens: split.batches.reduce((n, b) => n + b.tokens, 0) };
      rows.push(row);
      opts.onScore?.(row, i, dirs.length);
    } finally {
      disposeWeights(m.weights);
    }
  }
  const best = bestCheckpoint(rows, metric);
  if (!best) throw new CheckpointError(`${runDir}: no checkpoint could be scored`);
  return { runDir: run, metric, data: split!.data, rows, best };
}

/** Writes RUN/comparison.json (every row) and RUN/best_validation.json (the pick); returns their paths. */
export function writeCheckpointComparison(c: CheckpointComparison): { comparison: string; best: string } {
  mkdirSync(c.runDir, { recursive: true });
  const comparison = join(c.runDir, 'comparison.json');
  const best = join(c.runDir, BEST_VALIDATION_FILE);
  writeFileSync(comparison, `${JSON.stringify(comparisonJson(c.rows, c.metric, { data: c.data, split: 'validation' }), null, 2)}\n`);
  writeFileSync(best, `${JSON.stringify(bestValidationJson(c.best, c.metric, c.rows.length), null, 2)}\n`);
  return { comparison, best };
}

/** What the validation batches depend on besides the weights. */
function splitKey(cfg: Config, tokenizer: Tokenizer): string {
  return JSON.stringify([tokenizer.hash, cfg.data, cfg.textColumn, cfg.normalize, cfg.maxDocs, cfg.seed, cfg.valFraction, cfg.context, cfg.layout, cfg.batchSize, cfg.trimPadding]);
}

/** The run's validation split as scoring batches (as `eval perplexity` scores it). */
async function validationSplit(cfg: Config, tokenizer: Tokenizer): Promise<ReturnType<typeof scoringBatches>> {
  const data = await prepareData(cfg, tokenizer);
  const closable: { close?: () => void } = data; // the token cache's files, where prepareData keeps them open
  try {
    const batches = scoringBatches(data.val, cfg);
    if (batches.length === 0) throw new DataError(`${cfg.data}: no validation examples of ${cfg.context} tokens to score (val_fraction ${cfg.valFraction})`);
    return batches;
  } finally {
    closable.close?.();
  }
}
