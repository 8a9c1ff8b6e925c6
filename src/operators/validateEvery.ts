import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/** A mixture's validation: the mixed loss and each source's (`val_loss_<name>`). */
export interface ValLosses {
  readonly valLoss: number;
  readonly bySource: Readonly<Record<string, number>>;
}

/**
 * Every `every` steps (and on the final step) awaits `evaluate` for the validation loss and adds an
 * `eval` event with perplexity and the best loss so far (starting from `best`, e.g. a resumed
 * checkpoint's). `every` = 0: only on the final step. When `evaluate` gives {@link ValLosses} (a
 * mixture), the event carries each source's loss too (`valLossBySource`); best, early stopping and
 * checkpoints follow the mixed loss.
 *
 * @example
 * steps$.pipe(validateEvery(100, () => evaluateLoss(weights, config, valBatches)))
 */
export function validateEvery(every: number, evaluate: (s: StepState) => Promise<number | ValLosses>, now: () => number = Date.now, initialBest = Infinity): OperatorFunction<StepState, StepState> {
  return (source) => {
    let best = initialBest;
    return source.pipe(
      concatMap(async (s) => {
        if (!(s.final || (every > 0 && s.step % every === 0))) return s;
        const r = await evaluate(s);
        const valLoss = typeof r === 'number' ? r : r.valLoss;
        best = Math.min(best, valLoss);
        const bySource = typeof r === 'number' ? {} : { valLossBySource: r.bySource };
        return withEvents({ ...s, valLoss }, { type: 'eval', step: s.step, time: now(), valLoss, ppl: Math.exp(valLoss), bestValLoss: best, ...bySource });
      }),
    );
  };
}
