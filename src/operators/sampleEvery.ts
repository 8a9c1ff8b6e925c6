import { concatMap, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

export interface SampleEveryOptions {
  /** Checked each step: true once after a user asked for a sample now (TUI `s`). */
  readonly requested?: () => boolean;
  readonly now?: () => number;
}

/**
 * Every `every` steps (and on the final step, or when `requested()`) awaits `sample` for generated
 * text and adds a `sample` event. `every` = 0: only on the final step or on request.
 *
 * @example
 * steps$.pipe(sampleEvery(100, () => generateText(...)))
 */
export function sampleEvery(every: number, sample: (s: StepState) => Promise<{ prompt: string; text: string }>, opts: SampleEveryOptions = {}): OperatorFunction<StepState, StepState> {
  const now = opts.now ?? Date.now;
  return concatMap(async (s) => {
    const asked = opts.requested?.() ?? false;
    if (!(asked || s.final || (every > 0 && s.step % every === 0))) return s;
    const { prompt, text } = await sample(s);
    return withEvents(s, { type: 'sample', step: s.step, time: now(), prompt, text });
  });
}
