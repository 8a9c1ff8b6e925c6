import { describe, expect, it } from 'vitest';
import { batchSchedule } from '../../../src/streams/sources/batchSchedule.ts';
import { DataError } from '../../../src/core/errors/DataError.ts';

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

  it('with trimTo, cuts each batch to its longest row (the same rows as without)', () => {
    // row i counts i % 4 + 1 of its 8 targets
    const docs = Array.from({ length: 8 }, (_, i) => ({ ids: Int32Array.from({ length: 9 }, () => i), mask: Float32Array.from({ length: 8 }, (_, t) => (t <= i % 4 ? 1 : 0)) }));
    const plain = [...batchSchedule(docs, { batchSize: 2, seed: 3, startStep: 0, totalSteps: 4 })];
    const cut = [...batchSchedule(docs, { batchSize: 2, seed: 3, startStep: 0, totalSteps: 4, trimTo: 2 })];
    expect(plain.every((s) => s.batch.T === 8)).toBe(true);
    cut.forEach((s, k) => {
      const longest = Math.max(...[0, 1].map((r) => plain[k].batch.x[r * 8] % 4 + 1));
      expect(s.batch.T).toBe(Math.ceil(longest / 2) * 2);
      expect(firstIds(s)).toEqual(firstIds(plain[k]));
      expect(s.batch.tokens).toBe(plain[k].batch.tokens);
    });
  });

  describe('groupByLength', () => {
    // 40 rows of T = 16; row i counts (7·i mod 16) + 1 targets and carries its index in every id
    const docs = Array.from({ length: 40 }, (_, i) => ({ ids: Int32Array.from({ length: 17 }, () => i), mask: Float32Array.from({ length: 16 }, (_, t) => (t <= (7 * i) % 16 ? 1 : 0)) }));
    const len = (i: number) => ((7 * i) % 16) + 1;
    const rowsOf = (s: { batch: { x: Int32Array; T: number; B: number } }) => firstIds(s);
    const spread = (steps: { batch: { x: Int32Array; T: number; B: number } }[]) => steps.reduce((a, s) => a + Math.max(...rowsOf(s).map(len)) - Math.min(...rowsOf(s).map(len)), 0) / steps.length;

    it('visits each example once per epoch, in batches of similar lengths', () => {
      const plain = [...batchSchedule(docs, { batchSize: 4, seed: 5, startStep: 0, totalSteps: 20 })];
      const grouped = [...batchSchedule(docs, { batchSize: 4, seed: 5, startStep: 0, totalSteps: 20, groupByLength: 5 })];
      for (const epoch of [0, 1]) {
        const seen = grouped.slice(epoch * 10, epoch * 10 + 10).flatMap(rowsOf).sort((a, b) => a - b);
        expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
      }
      expect(spread(grouped)).toBeLessThan(spread(plain) / 2);
      // a mega-batch of 5 batches = half the epoch: each half is sorted, so its batches are length ranges
      const sorted = [...batchSchedule(docs, { batchSize: 4, seed: 5, startStep: 0, totalSteps: 10, groupByLength: 10 })];
      const ranges = sorted.map((s) => [Math.min(...rowsOf(s).map(len)), Math.max(...rowsOf(s).map(len))]).sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < ranges.length; k++) expect(ranges[k][0]).toBeGreaterThanOrEqual(ranges[k - 1][1]);
    });

    it('is a pure function of (examples, seed, step): a resumed schedule continues it, and trimming cuts short batches', () => {
      const opts = { batchSize: 4, seed: 8, totalSteps: 25, groupByLength: 3, trimTo: 4 };
      const full = [...batchSchedule(docs, { ...opts, startStep: 0 })];
      const resumed = [...batchSchedule(docs, { ...opts, startStep: 13 })];
      expect(resumed.map(rowsOf)).toEqual(full.slice(13).map(rowsOf));
      expect(resumed.map((s) => s.batch.T)).toEqual(full.slice(13).map((s) => s.batch.T));
      for (const s of full) expect(s.batch.T).toBe(Math.ceil(Math.max(...rowsOf(s).map(len)) / 4) * 4);
      expect(Math.min(...full.map((s) => s.batch.T))).toBeLessThan(16);
    });
  });
});
