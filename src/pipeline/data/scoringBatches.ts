import type { Batch, Example } from '../../core/batch.ts';
import type { Config } from '../../core/config/schema.ts';
import { chunkBatches, lengthSortedBatches, TRIM_MULTIPLE } from '../../model/nn/batch.ts';

/**
 * Examples → the batches a loss is measured on, in order. With trim_padding they are batched by
 * length and trimmed (the same token-weighted loss, without the padding's compute). Shared by the
 * training run's validation and `eval perplexity`, so both score alike.
 */
export function scoringBatches(examples: readonly Example[], cfg: Pick<Config, 'batchSize' | 'trimPadding'>): Batch[] {
  return cfg.trimPadding ? lengthSortedBatches(examples, cfg.batchSize, TRIM_MULTIPLE) : chunkBatches(examples, cfg.batchSize);
}

/**
 * The training run's validation set: a fixed, bounded set of full batches in order (eval_batches of
 * them; 0 = all), or one short batch if that is all there is.
 */
export function validationBatches(val: readonly Example[], cfg: Pick<Config, 'batchSize' | 'trimPadding' | 'evalBatches'>): Batch[] {
  const n = val.length;
  const full = n >= cfg.batchSize ? val.slice(0, n - (n % cfg.batchSize)) : val;
  return scoringBatches(full.slice(0, cfg.evalBatches > 0 ? cfg.evalBatches * cfg.batchSize : undefined), cfg);
}
