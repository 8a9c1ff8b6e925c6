import { concatMap, type OperatorFunction } from 'rxjs';
import type { PrefEvalEvent } from '../core/events.ts';
import { type StepState, withEvents } from '../core/stepState.ts';

/** What one preference evaluation measured (an eval/pref event without its frame). */
export type PrefEvaluation = Omit<PrefEvalEvent, 'type' | 'step' | 'time' | 'bestQuality'>;

/**
 * Every `every` steps (and on the final step) awaits `evaluate` and adds an `eval/pref` event, with
 * the best generation-quality score so far when the evaluation has one. `every` = 0: only on the final step.
 *
 * @example
 * steps$.pipe(prefEvalEvery(100, () => evaluatePreferences(policy, ref, valPairs)))
 */
export function prefEvalEvery(every: number, evaluate: (s: StepState) => Promise<PrefEvaluation>, now: () => number = Date.now): OperatorFunction<StepState, StepState> {
  return (source) => {
    let best = -Infinity;
    return source.pipe(
      concatMap(async (s) => {
        if (!(s.final || (every > 0 && s.step % every === 0))) return s;
        const r = await evaluate(s);
        if (r.quality && r.quality.score > best) best = r.quality.score;
        return withEvents(s, { type: 'eval/pref', step: s.step, time: now(), ...r, ...(r.quality ? { bestQuality: best } : {}) });
      }),
    );
  };
}
