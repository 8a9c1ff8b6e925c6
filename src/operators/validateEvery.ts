import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/**
 * Every `every` steps (and on the final step) awaits `evaluate` for the validation loss and adds an
 * `eval` event with perplexity and the best loss so far (starting from `best`, e.g. a resumed
 * checkpoint's). `every` = 0: only on the final step.
 *
 * @example
 * steps$.pipe(validateEvery(100, () => evaluateLoss(weights, config, valBatches)))
 */
export function validateEvery(every: number, evaluate: (s: StepState) => Promise<number>, now: () => number = Date.now, initialBest = Infinity): OperatorFunction<StepState, StepState> {
  return (source) => {
    let best = initialBest;
    return source.pipe(
      concatMap(async (s) => {
        if (!(s.final || (every > 0 && s.step % every === 0))) return s;
        const valLoss = await evaluate(s);
        best = Math.min(best, valLoss);
        return withEvents({ ...s, valLoss }, { type: 'eval', step: s.step, time: now(), valLoss, ppl: Math.exp(valLoss), bestValLoss: best });
      }),
    );
  };
}
