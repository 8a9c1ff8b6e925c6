import { map, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/**
 * Stops a run whose validation loss has stopped improving: after `patience` evaluations in a row
 * without a new best, the step of the last one becomes the final step (so the operators after it
 * checkpoint and sample there), a warning says why, and `halt` is called so the batch source yields
 * no more batches. Place it after validateEvery. `patience` 0 passes everything through.
 *
 * @example
 * steps$.pipe(validateEvery(100, evaluate), earlyStopping(5, () => (halted = true)), checkpointEvery(0, save))
 */
export function earlyStopping(patience: number, halt: () => void, initialBest = Infinity, now: () => number = Date.now): OperatorFunction<StepState, StepState> {
  return (source) => {
    let best = initialBest;
    let stale = 0;
    return source.pipe(
      map((s) => {
        const ev = s.events.find((e) => e.type === 'eval');
        if (patience <= 0 || ev?.type !== 'eval') return s;
        if (ev.valLoss < best) [best, stale] = [ev.valLoss, 0];
        else stale++;
        if (stale < patience || s.final) return s;
        halt();
        const message = `early stopping: no new best validation loss (${best.toFixed(4)}) in ${stale} evaluations (early_stop_patience ${patience}); stopping at step ${s.step} with a checkpoint`;
        return withEvents({ ...s, final: true }, { type: 'warning', step: s.step, time: now(), message });
      }),
    );
  };
}
