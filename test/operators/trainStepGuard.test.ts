import * as tf from '@tensorflow/tfjs';
import { from, lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DivergenceError } from '../../src/core/errors/DivergenceError.ts';
import type { TrainEvent } from '../../src/core/events.ts';
import type { StepInput, StepState } from '../../src/core/stepState.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { trainStep } from '../../src/operators/trainStep.ts';
import { countingBatch, inputs, tinyModel } from './stepFixtures.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const schedule = { kind: 'constant' as const, lr: 1e-2, minLr: 1e-2, warmup: 0, total: 100 };

/** Steps 1..n; the steps in `poisoned` get a NaN in their loss mask (a NaN loss and gradient). */
function withNaN(n: number, poisoned: readonly number[]): StepInput[] {
  return inputs(n).map((s) => {
    if (!poisoned.includes(s.step)) return s;
    const mask = s.batch.mask.slice();
    mask[0] = NaN;
    return { ...s, batch: { ...s.batch, mask } };
  });
}

const weightsOf = (m: ReturnType<typeof tinyModel>) => [...m.weights.values()].map((v) => Array.from(v.dataSync()));
const eventsOf = (out: StepState[]): TrainEvent[] => out.flatMap((s) => s.events);

describe('trainStep with the step guard', () => {
  it('skips isolated bad steps, counts them on train/step (skippedSteps) with a warning, and trains on', async () => {
    const m = tinyModel();
    const out = await lastValueFrom(from(withNaN(8, [3, 5, 6])).pipe(trainStep({ ...m, schedule, totalSteps: 8, logEvery: 4, seed: 1, guard: { maxBadSteps: 3 } }), toArray()));
    const events = eventsOf(out);
    const steps = events.filter((e) => e.type === 'train/step');
    expect(steps.map((e) => [e.step, e.type === 'train/step' && e.skippedSteps])).toEqual([[4, 1], [8, 3]]);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.message : ''));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^skipped 1 step in steps 1–4 \(1 with a non-finite loss or gradient\): weights and moments left unchanged; 1 skipped in this run, 0 in a row now \(max_bad_steps 3\)/);
    expect(warnings[1]).toMatch(/^skipped 2 steps in steps 5–8 /);
    expect(out.at(-1)!.loss).toBeGreaterThan(0);
    for (const w of weightsOf(m)) for (const x of w) expect(Number.isFinite(x)).toBe(true);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('max_bad_steps in a row stop the run with a DivergenceError at the next log, the weights those of the last applied step; no tensors leak', async () => {
    const m = tinyModel();
    // the weights after the two good steps, from a twin model
    const twin = tinyModel();
    await lastValueFrom(from(inputs(2)).pipe(trainStep({ ...twin, schedule, totalSteps: 2, logEvery: 2, seed: 1 }), toArray()));
    const want = weightsOf(twin);
    disposeWeights(twin.weights);
    twin.optimizer.dispose();
    const before = tf.memory().numTensors;
    const err = await lastValueFrom(
      from(withNaN(12, [3, 4, 5, 6, 7, 8, 9, 10])).pipe(trainStep({ ...m, schedule, totalSteps: 12, logEvery: 5, seed: 1, guard: { maxBadSteps: 4 } })),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/^training loss is NaN at step 10 \(lr 1\.00e-2\): lower lr or raise warmup_steps; 8 steps in a row were skipped \(max_bad_steps 4; in this run 8 with a non-finite loss or gradient, 0 loss spikes\)/);
    expect(weightsOf(m)).toEqual(want);
    expect(tf.memory().numTensors).toBe(before); // the guard's counters were disposed with the stream
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('without the guard a non-finite loss at a log step is a DivergenceError at once', async () => {
    const m = tinyModel();
    const err = await lastValueFrom(from(withNaN(4, [2])).pipe(trainStep({ ...m, schedule, totalSteps: 4, logEvery: 2, seed: 1 }))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/^training loss is NaN at step 2 /);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('loss_spike_factor skips a step whose loss spikes: after 24 steps on a learnt sequence, a batch of another one', async () => {
    const m = tinyModel(3);
    const learnt = Array.from({ length: 24 }, (_, i) => ({ step: i + 1, epoch: 0, batch: countingBatch(4, 8, 0), final: false }));
    // next = current + 7: the model has learnt + 1, so its loss is far above the running mean
    const other = { ...countingBatch(4, 8, 0) };
    other.y = other.x.map((v) => (v + 7) % 16);
    const steps = [...learnt, { step: 25, epoch: 0, batch: other, final: false }, { step: 26, epoch: 0, batch: countingBatch(4, 8, 0), final: true }];
    const out = await lastValueFrom(from(steps).pipe(trainStep({ ...m, schedule, totalSteps: 26, logEvery: 1, seed: 1, guard: { maxBadSteps: 3, spikeFactor: 2 } }), toArray()));
    const ev = eventsOf(out);
    const at = (step: number) => ev.find((e) => e.type === 'train/step' && e.step === step);
    expect(at(24)).toMatchObject({ skippedSteps: 0 });
    expect(at(25)).toMatchObject({ skippedSteps: 1 });
    expect(ev.find((e) => e.type === 'warning')).toMatchObject({ step: 25, message: expect.stringMatching(/^skipped 1 step at step 25 \(1 loss spike\)/) });
    // step 26 trains as if step 25 had not happened: its loss is the one right after step 24
    const m2 = tinyModel(3);
    const ref = await lastValueFrom(from([...learnt, { step: 26, epoch: 0, batch: countingBatch(4, 8, 0), final: true }]).pipe(trainStep({ ...m2, schedule, totalSteps: 26, logEvery: 1, seed: 1 }), toArray()));
    expect(out.at(-1)!.loss).toBe(ref.at(-1)!.loss);
    for (const x of [m, m2]) {
      disposeWeights(x.weights);
      x.optimizer.dispose();
    }
  });
});
