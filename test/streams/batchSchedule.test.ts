import { describe, expect, it } from 'vitest';
import { batchSchedule } from '../../src/streams/batchSchedule.ts';
import { DataError } from '../../src/errors/DataError.ts';

const examples = Array.from({ length: 10 }, (_, i) => ({ ids: Int32Array.from([i, i, i]), mask: Float32Array.from([1, 1]) }));
const firstIds = (b: { batch: { x: Int32Array; T: number; B: number } }) => Array.from({ length: b.batch.B }, (_, r) => b.batch.x[r * b.batch.T]);

describe('batchSchedule', () => {
  it('covers each epoch as a seeded permutation and marks the final step', () => {
    const all = [...batchSchedule(examples, { batchSize: 3, seed: 1, startStep: 0, totalSteps: 6 })];
    expect(all.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.map((s) => s.final)).toEqual([false, false, false, false, false, true]);
    const epoch1 = all.slice(0, 3).flatMap(firstIds);
    expect(new Set(epoch1).size).toBe(9); // 3 batches of 3 distinct examples, one left over
    expect(all.slice(3).flatMap(firstIds)).not.toEqual(epoch1); // a new order next epoch
    expect(all[2].epoch).toBe(1);
  });

  it('resumes at a step with exactly the batches a full run would have drawn', () => {
    const full = [...batchSchedule(examples, { batchSize: 3, seed: 9, startStep: 0, totalSteps: 8 })];
    const resumed = [...batchSchedule(examples, { batchSize: 3, seed: 9, startStep: 5, totalSteps: 8 })];
    expect(resumed.map((s) => s.step)).toEqual([6, 7, 8]);
    expect(resumed.map(firstIds)).toEqual(full.slice(5).map(firstIds));
  });

  it('ends early when a stop is requested', () => {
    let stop = false;
    const it = batchSchedule(examples, { batchSize: 2, seed: 1, startStep: 0, totalSteps: 100, shouldStop: () => stop });
    expect(it.next().value?.final).toBe(false);
    stop = true;
    const last = it.next();
    expect(last.value?.final).toBe(true);
    expect(it.next().done).toBe(true);
  });

  it('refuses a training set smaller than one batch', () => {
    expect(() => [...batchSchedule(examples.slice(0, 2), { batchSize: 3, seed: 1, startStep: 0, totalSteps: 1 })]).toThrow(DataError);
  });
});
