import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/**
 * Every `every` steps (and on the final step) awaits `save` and adds a `checkpoint` event with the
 * directory written. `every` = 0: only on the final step. Saving happens between steps, so the
 * weights do not change while they are read.
 *
 * @example
 * steps$.pipe(checkpointEvery(500, (s) => saveCheckpoint(dir, snapshot(s))))
 */
export function checkpointEvery(every: number, save: (s: StepState) => Promise<{ path: string; bytes: number }>, now: () => number = Date.now): OperatorFunction<StepState, StepState> {
  return concatMap(async (s) => {
    if (!(s.final || (every > 0 && s.step % every === 0))) return s;
    const { path, bytes } = await save(s);
    return withEvents(s, { type: 'checkpoint', step: s.step, time: now(), path, bytes });
  });
}
