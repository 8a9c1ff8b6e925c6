import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/**
 * Saves a checkpoint whenever `score(s)` (null = nothing measured at this step) beats every earlier
 * one and `initialBest()` (higher is better), and adds its `checkpoint` event. For a preference run the score is the
 * generation-quality check of eval/pref, so the checkpoint kept is the one that still writes well,
 * not the one with the best preference accuracy.
 *
 * @example
 * steps$.pipe(saveBestBy((s) => qualityOf(s), (s) => saveCheckpoint(join(runDir, 'best'), files(s))))
 */
export function saveBestBy(
  score: (s: StepState) => number | null,
  save: (s: StepState) => Promise<{ path: string; bytes: number }>,
  now: () => number = Date.now,
  initialBest: () => number = () => -Infinity,
): OperatorFunction<StepState, StepState> {
  return (source) => {
    let best = initialBest(); // read at subscription: e.g. the starting point's score, measured just before
    return source.pipe(
      concatMap(async (s) => {
        const v = score(s);
        if (v === null || !(v > best)) return s;
        best = v;
        const { path, bytes } = await save(s);
        return withEvents(s, { type: 'checkpoint', step: s.step, time: now(), path, bytes });
      }),
    );
  };
}
