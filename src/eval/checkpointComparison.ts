/**
 * Choosing a run's best checkpoint from its validation scores (`versiflow eval checkpoints`,
 * 1gpu-llm's benchmark-selected checkpoint): the rows of comparison.json and the pick written to
 * best_validation.json.
 */

/** Metrics a checkpoint can be chosen by; each is better when lower. */
export const CHECKPOINT_METRICS = ['val_loss', 'perplexity'] as const;
export type CheckpointMetric = (typeof CHECKPOINT_METRICS)[number];

/** One checkpoint scored on the validation split. */
export interface CheckpointScore {
  readonly step: number;
  /** The checkpoint directory, relative to the run directory (checkpoints/step-NNNNNNN). */
  readonly path: string;
  /** Token-weighted mean cross-entropy, nats per token. */
  readonly val_loss: number;
  /** exp(val_loss). */
  readonly perplexity: number;
  /** Targets scored. */
  readonly tokens: number;
}

/**
 * The best row by `metric` (lowest; a NaN never wins; a tie goes to the earlier step, the cheaper
 * model). Null for no rows or only NaN.
 */
export function bestCheckpoint(rows: readonly CheckpointScore[], metric: CheckpointMetric): CheckpointScore | null {
  let best: CheckpointScore | null = null;
  for (const r of rows) {
    const v = r[metric];
    if (Number.isNaN(v)) continue;
    if (best === null || v < best[metric] || (v === best[metric] && r.step < best.step)) best = r;
  }
  return best;
}

/** comparison.json: every row in step order, the metric and where the rows were scored. */
export function comparisonJson(rows: readonly CheckpointScore[], metric: CheckpointMetric, split: { readonly data: string; readonly split: string }): object {
  return { metric, data: split.data, split: split.split, checkpoints: [...rows].sort((a, b) => a.step - b.step) };
}

/** best_validation.json: the chosen row, its metric and value, how many were compared. */
export function bestValidationJson(best: CheckpointScore, metric: CheckpointMetric, compared: number): object {
  return { ...best, metric, value: best[metric], compared };
}
