import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PrefStepInput } from '../../src/core/prefStepInput.ts';
import type { PreferenceStepResult } from '../../src/model/nn/preference/preferenceStep.ts';
import { prefStep } from '../../src/operators/prefStep.ts';
import { prefSchedule } from '../../src/streams/sources/prefSchedule.ts';

const result = (loss: number): PreferenceStepResult => ({
  loss, gradNorm: 1, rewardsChosen: 0.2, rewardsRejected: -0.1, margin: 0.3, logpsChosen: -10, logpsRejected: -20, meanLogratio: 0.01, accuracy: 0.5,
});
const schedule = { kind: 'constant' as const, lr: 5e-6, minLr: 5e-7, warmup: 0, total: 5, decayFraction: 0.2 };

describe('prefStep', () => {
  it('runs one update per step at the scheduled lr; pref/step on the first, every logEvery-th and the final step, with ms/step and ETA', async () => {
    const seen: [number, number][] = [];
    let t = 0;
    const op = prefStep<string>({
      task: 'dpo', schedule, totalSteps: 5, logEvery: 2, clock: () => (t += 100), now: () => 9,
      update: async (rows, lr, step) => (seen.push([step, lr]), result(rows.length / step)),
    });
    const inputs: PrefStepInput<string>[] = [...prefSchedule(['a', 'b', 'c'], { batchSize: 2, seed: 1, totalSteps: 5 })];
    const out = await lastValueFrom(from(inputs).pipe(op, toArray()));
    expect(seen).toEqual([1, 2, 3, 4, 5].map((s) => [s, 5e-6]));
    const events = out.flatMap((s) => s.events);
    expect(events.map((e) => e.step)).toEqual([1, 2, 4, 5]);
    const e = events[1];
    expect(e).toMatchObject({ type: 'pref/step', task: 'dpo', loss: 1, margin: 0.3, logRatio: 0.01, accuracy: 0.5, time: 9, totalSteps: 5 });
    expect(e.type === 'pref/step' && e.etaS).toBeCloseTo(((5 - 2) * (e.type === 'pref/step' ? e.ms : 0)) / 1000, 9);
    expect(out.at(-1)!.final).toBe(true);
  });

  it('stops the run with a DivergenceError on a non-finite loss', async () => {
    const op = prefStep<string>({ task: 'kto', schedule, totalSteps: 1, logEvery: 1, update: async () => result(NaN) });
    await expect(lastValueFrom(from([{ step: 1, epoch: 1, rows: ['a'], final: true }]).pipe(op))).rejects.toThrow('kto loss is NaN at step 1');
  });

  it('stops the source when unsubscribed early', () => {
    const src = new Subject<PrefStepInput<string>>();
    src.pipe(prefStep({ task: 'kto', schedule, totalSteps: 1, logEvery: 1, update: async () => result(0) })).subscribe().unsubscribe();
    expect(src.observed).toBe(false);
  });
});

describe('prefSchedule', () => {
  it('draws each item once per epoch in a seeded order, continues across epochs, and resumes at startStep', () => {
    const all = [...prefSchedule([0, 1, 2, 3], { batchSize: 2, seed: 5, totalSteps: 4 })];
    expect(all.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect([...all[0].rows, ...all[1].rows].sort()).toEqual([0, 1, 2, 3]);
    expect([...all[2].rows, ...all[3].rows].sort()).toEqual([0, 1, 2, 3]);
    expect(all.map((s) => s.epoch)).toEqual([0.5, 1, 1.5, 2]);
    const resumed = [...prefSchedule([0, 1, 2, 3], { batchSize: 2, seed: 5, totalSteps: 4, startStep: 2 })];
    expect(resumed).toEqual(all.slice(2));
  });
});
