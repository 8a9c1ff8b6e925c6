import type { Batch } from '../../core/batch.ts';
import type { Config } from '../../core/config/schema.ts';
import type { ValLosses } from '../../operators/validateEvery.ts';
import type { PreparedData } from '../data/prepareData.ts';
import { validationBatches } from '../data/scoringBatches.ts';

export interface Validation {
  /** Batches scored per evaluation (all sources together). */
  readonly batches: number;
  /** The validation loss; for a mixture also each source's (NaN without validation batches). */
  evaluate(): Promise<number | ValLosses>;
}

/**
 * What a run's evaluation scores. One corpus: eval_batches of its validation examples. A mixture:
 * eval_batches of each source's, each source's loss reported by name and the mixed loss their
 * token-weighted mean (the loss over all those tokens, so no batch is scored twice). A source without
 * validation examples is left out of both.
 */
export function runValidation(data: Pick<PreparedData, 'val' | 'sources'>, cfg: Pick<Config, 'batchSize' | 'trimPadding' | 'evalBatches'>, lossOf: (batches: readonly Batch[]) => Promise<number>): Validation {
  if (!data.sources) {
    const batches = validationBatches(data.val, cfg);
    return { batches: batches.length, evaluate: () => (batches.length ? lossOf(batches) : Promise.resolve(NaN)) };
  }
  const per = data.sources.map((s) => ({ name: s.name, batches: validationBatches(s.val, cfg) })).filter((s) => s.batches.length > 0);
  return {
    batches: per.reduce((n, s) => n + s.batches.length, 0),
    evaluate: async () => {
      if (per.length === 0) return NaN;
      const bySource: Record<string, number> = {};
      let sum = 0;
      let tokens = 0;
      for (const s of per) {
        const loss = await lossOf(s.batches);
        const n = s.batches.reduce((a, b) => a + b.tokens, 0);
        bySource[s.name] = loss;
        sum += loss * n;
        tokens += n;
      }
      return { valLoss: sum / tokens, bySource };
    },
  };
}
