import type { Batch, Example, ExampleSet } from '../../core/batch.ts';
import type { Config } from '../../core/config/schema.ts';
import { stackExamples, TRIM_MULTIPLE, trimPadding } from '../../model/nn/batch.ts';
import { asExampleSet, sliceExamples } from '../../model/nn/exampleSets.ts';

/**
 * Examples → the batches a loss is measured on, in order. With trim_padding they are batched by
 * length (a stable sort, shortest first) and trimmed (the same token-weighted loss, without the
 * padding's compute). Shared by the training run's validation and `eval perplexity`, so both score
 * alike. Reads each example once.
 */
export function scoringBatches(source: ExampleSet | readonly Example[], cfg: Pick<Config, 'batchSize' | 'trimPadding'>): Batch[] {
  const examples = asExampleSet(source);
  const order = Array.from({ length: examples.length }, (_, i) => i);
  if (cfg.trimPadding) {
    const len = Uint32Array.from(order, (i) => examples.countedLength(i));
    order.sort((a, b) => len[a] - len[b]);
  }
  const out: Batch[] = [];
  for (let i = 0; i < order.length; i += cfg.batchSize) {
    const b = stackExamples(order.slice(i, i + cfg.batchSize).map((k) => examples.at(k)));
    out.push(cfg.trimPadding ? trimPadding(b, TRIM_MULTIPLE) : b);
  }
  return out;
}

/**
 * The training run's validation set: a fixed, bounded set of full batches in order (eval_batches of
 * them; 0 = all), or one short batch if that is all there is.
 */
export function validationBatches(source: ExampleSet | readonly Example[], cfg: Pick<Config, 'batchSize' | 'trimPadding' | 'evalBatches'>): Batch[] {
  const val = asExampleSet(source);
  const n = val.length;
  const full = n >= cfg.batchSize ? n - (n % cfg.batchSize) : n;
  return scoringBatches(sliceExamples(val, 0, cfg.evalBatches > 0 ? Math.min(full, cfg.evalBatches * cfg.batchSize) : full), cfg);
}
