import * as tf from '@tensorflow/tfjs';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { trainStep } from '../../src/operators/trainStep.ts';
import type { StepInput } from '../../src/core/stepState.ts';
import { inputs, tinyModel } from './stepFixtures.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const schedule = { kind: 'constant' as const, lr: 1e-2, minLr: 1e-2, warmup: 0, total: 100 };

describe('trainStep', () => {
  it('emits one state per batch and a train/step event on log steps and the final step', async () => {
    const m = tinyModel();
    let t = 0;
    const out = await lastValueFrom(
      from(inputs(5)).pipe(trainStep({ ...m, schedule, totalSteps: 5, logEvery: 2, seed: 1, clock: () => (t += 100), now: () => 42 }), toArray()),
    );
    expect(out.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    const logged = out.filter((s) => s.events.length > 0).map((s) => s.step);
    expect(logged).toEqual([2, 4, 5]);
    const e = out[1].events[0];
    expect(e).toMatchObject({ type: 'train/step', step: 2, time: 42, lr: 1e-2, tokens: 64, totalSteps: 5 });
    if (e.type !== 'train/step') throw new Error('unreachable');
    expect(e.loss).toBeGreaterThan(1.5);
    expect(e.loss).toBeLessThan(Math.log(16) + 0.5);
    expect(e.gradNorm).toBeGreaterThan(0);
    expect(e.tokPerSec).toBeGreaterThan(0);
    expect(e.etaS).toBeGreaterThanOrEqual(0);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('lowers the loss on a learnable sequence', async () => {
    const m = tinyModel(3);
    const steps = Array.from({ length: 30 }, (_, i) => ({ ...inputs(1)[0], step: i + 1, final: i === 29 }));
    const out = await lastValueFrom(from(steps).pipe(trainStep({ ...m, schedule, totalSteps: 30, logEvery: 1, seed: 1 }), toArray()));
    const losses = out.map((s) => s.loss!);
    expect(losses[29]).toBeLessThan(losses[0] * 0.6);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('leaks no tensors across steps', async () => {
    const m = tinyModel();
    const run = (n: number) => lastValueFrom(from(inputs(n)).pipe(trainStep({ ...m, schedule, totalSteps: n, logEvery: 2, seed: 1 }), toArray()));
    await run(1); // warm-up: caches of RoPE tables and masks
    const before = tf.memory().numTensors;
    await run(6);
    expect(tf.memory().numTensors).toBe(before);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });

  it('stops the source when unsubscribed early', async () => {
    const m = tinyModel();
    const src = new Subject<StepInput>();
    const seen: number[] = [];
    const sub = src.pipe(trainStep({ ...m, schedule, totalSteps: 5, logEvery: 1, seed: 1 })).subscribe((s) => seen.push(s.step));
    src.next(inputs(2)[0]);
    await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    expect(src.observed).toBe(false);
    expect(seen).toEqual([1]);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });
});
