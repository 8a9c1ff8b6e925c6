import { concatMap, type OperatorFunction } from 'rxjs';
import type { PrefStepEvent } from '../core/events.ts';
import type { PrefStepInput } from '../core/prefStepInput.ts';
import type { StepState } from '../core/stepState.ts';
import { DivergenceError } from '../core/errors/DivergenceError.ts';
import type { PreferenceStepResult } from '../model/nn/preference/preferenceStep.ts';
import { lrAt, type Schedule } from '../model/nn/schedule.ts';

export interface PrefStepOptions<R> {
  readonly task: 'kto' | 'dpo';
  /** One update over the step's rows at learning rate `lr` (ktoStep or dpoStep with the run's models bound). */
  readonly update: (rows: readonly R[], lr: number, step: number) => Promise<PreferenceStepResult>;
  readonly schedule: Schedule;
  readonly totalSteps: number;
  /** Emit `pref/step` every N steps (and on the first and final step). */
  readonly logEvery: number;
  /** Milliseconds clock, injectable for tests. @default performance.now */
  readonly clock?: () => number;
  /** Wall clock for event times. @default Date.now */
  readonly now?: () => number;
}

/**
 * One preference update per input (the update reads its figures from the device every step: KTO's
 * z_ref needs the step's mean log-ratio). Emits a StepState per step, with a `pref/step` event on
 * log steps carrying TRL's logged quantities, ms/step since the previous log and an ETA.
 * A non-finite loss is a DivergenceError naming the step and the learning rate.
 *
 * @example
 * pullThrough(prefSchedule(pairs, o), prefStep({ task: 'dpo', update: (rows, lr) => dpoStep(policy, ref, gpt, opt, rows, { ...o, lr }), schedule, totalSteps, logEvery: 10 }))
 */
export function prefStep<R>(o: PrefStepOptions<R>): OperatorFunction<PrefStepInput<R>, StepState> {
  const clock = o.clock ?? (() => performance.now());
  const now = o.now ?? Date.now;
  return (source) => {
    let t0: number | null = null;
    let lastLog: { step: number; t: number } | null = null;
    return source.pipe(
      concatMap(async (input): Promise<StepState> => {
        const first = t0 === null;
        if (first) {
          t0 = clock();
          lastLog = { step: input.step - 1, t: t0 };
        }
        const lr = lrAt(input.step - 1, o.schedule);
        const r = await o.update(input.rows, lr, input.step);
        if (!Number.isFinite(r.loss)) throw new DivergenceError(`${o.task} loss is ${r.loss} at step ${input.step} (lr ${lr.toExponential(2)}): lower lr or pref_beta`);
        const base = { step: input.step, epoch: input.epoch, final: input.final, lr, tokens: 0, loss: r.loss };
        if (!(first || input.final || input.step % o.logEvery === 0)) return { ...base, events: [] };
        const t = clock();
        const ms = (t - lastLog!.t) / Math.max(1, input.step - lastLog!.step);
        lastLog = { step: input.step, t };
        const event: PrefStepEvent = {
          type: 'pref/step',
          step: input.step,
          time: now(),
          task: o.task,
          loss: r.loss,
          lr,
          gradNorm: r.gradNorm,
          rewardsChosen: r.rewardsChosen,
          rewardsRejected: r.rewardsRejected,
          margin: r.margin,
          logpsChosen: r.logpsChosen,
          logpsRejected: r.logpsRejected,
          logRatio: r.meanLogratio,
          ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}),
          ...(r.z !== undefined ? { z: r.z } : {}),
          ...(r.zRef !== undefined ? { zRef: r.zRef } : {}),
          ...(r.kl !== undefined ? { kl: r.kl } : {}),
          ms,
          elapsedS: (t - t0!) / 1000,
          etaS: ((o.totalSteps - input.step) * ms) / 1000,
          totalSteps: o.totalSteps,
        };
        return { ...base, events: [event] };
      }),
    );
  };
}
