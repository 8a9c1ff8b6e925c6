import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

export interface CheckpointEveryOptions {
  /** Wall clock for event times. @default Date.now */
  readonly now?: () => number;
  /**
   * Periodic checkpoints only at steps whose evaluation set a new best validation loss (nanoGPT's
   * always_save_checkpoint = False); the final step is always saved. @default false
   */
  readonly onlyOnImprovement?: boolean;
  /** The best validation loss before this run's first step (a resumed checkpoint's). @default Infinity */
  readonly initialBest?: number;
}

/**
 * Every `every` steps (and on the final step) awaits `save` and adds a `checkpoint` event with the
 * directory written. `every` = 0: only on the final step. Saving happens between steps, so the
 * weights do not change while they are read.
 *
 * @example
 * steps$.pipe(checkpointEvery(500, (s) => saveCheckpoint(dir, snapshot(s))))
 */
export function checkpointEvery(every: number, save: (s: StepState) => Promise<{ path: string; bytes: number }>, opts: CheckpointEveryOptions | (() => number) = {}): OperatorFunction<StepState, StepState> {
  const o: CheckpointEveryOptions = typeof opts === 'function' ? { now: opts } : opts;
  const now = o.now ?? Date.now;
  return (source) => {
    let best = o.initialBest ?? Infinity;
    // the step's evaluation is strictly better than every earlier one (nanoGPT: val < best_val_loss)
    const improved = (s: StepState): boolean => {
      const ev = s.events.find((e) => e.type === 'eval');
      if (ev?.type !== 'eval' || !(ev.valLoss < best)) return false;
      best = ev.valLoss;
      return true;
    };
    return source.pipe(
      concatMap(async (s) => {
        const better = improved(s);
        if (!(s.final || (every > 0 && s.step % every === 0 && (!o.onlyOnImprovement || better)))) return s;
        const { path, bytes } = await save(s);
        return withEvents(s, { type: 'checkpoint', step: s.step, time: now(), path, bytes });
      }),
    );
  };
}
