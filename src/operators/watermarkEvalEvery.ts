import { concatMap, type OperatorFunction } from 'rxjs';
import type { WatermarkEvalEvent } from '../core/events.ts';
import { type StepState, withEvents } from '../core/stepState.ts';

/** What one watermark evaluation reports (the event's figures). */
export type WatermarkEvalFigures = Pick<WatermarkEvalEvent, 'auc' | 'f1' | 'meanZGenerated' | 'meanZReal'>;

/**
 * Every `every` steps (and on the final step) awaits `evaluate` (e.g. watermarked generations vs
 * held-out texts through src/eval's watermarkScores and watermarkMetrics) and adds an
 * `eval/watermark` event. `every` = 0: only on the final step; a negative `every`: never (the operator
 * passes states through), so a run can leave it in its pipe switched off.
 *
 * @example
 * steps$.pipe(watermarkEvalEvery(1000, async () => figures(await watermarkScores(model, heldOut, opts))))
 */
export function watermarkEvalEvery(every: number, evaluate: (s: StepState) => Promise<WatermarkEvalFigures>, now: () => number = Date.now): OperatorFunction<StepState, StepState> {
  return concatMap(async (s) => {
    if (every < 0 || !(s.final || (every > 0 && s.step % every === 0))) return s;
    const { auc, f1, meanZGenerated, meanZReal } = await evaluate(s);
    return withEvents(s, { type: 'eval/watermark', step: s.step, time: now(), auc, f1, meanZGenerated, meanZReal });
  });
}
