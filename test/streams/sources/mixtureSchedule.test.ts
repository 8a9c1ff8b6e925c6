import { describe, expect, it } from 'vitest';
import type { Example } from '../../../src/core/batch.ts';
import { exampleArray } from '../../../src/model/nn/exampleSets.ts';
import { cumulativeWeights, mixtureCounts, mixtureSchedule, sourceOfRow } from '../../../src/streams/sources/mixtureSchedule.ts';

const T = 4;
/** Example whose ids all equal `tag` (source · 1000 + index), so a batch row says where it came from. */
const ex = (tag: number): Example => ({ ids: new Int32Array(T + 1).fill(tag), mask: new Float32Array(T).fill(1) });
const source = (name: string, k: number, n: number, weight: number) => ({ name, weight, examples: exampleArray(Array.from({ length: n }, (_, i) => ex(k * 1000 + i))) });
const tags = (steps: Iterable<{ batch: { x: Int32Array; B: number; T: number } }>) => [...steps].flatMap((s) => Array.from({ length: s.batch.B }, (_, r) => s.batch.x[r * s.batch.T]));

describe('mixtureSchedule', () => {
  const sources = [source('big', 1, 10, 3), source('small', 2, 3, 1)];
  const opts = { batchSize: 4, seed: 7, startStep: 0, totalSteps: 250 };

  it('draws each row\'s source by weight: rows per source are mixtureCounts, ≈ 3:1 over 1,000 rows', () => {
    const rows = tags(mixtureSchedule(sources, opts));
    expect(rows).toHaveLength(1000);
    const counts = [rows.filter((t) => t < 2000).length, rows.filter((t) => t >= 2000).length];
    expect(counts).toEqual(mixtureCounts([3, 1], 7, 1000));
    // binomial(1000, 0.75): sd ≈ 13.7 rows; 4 sd
    expect(Math.abs(counts[0] - 750)).toBeLessThan(55);
    // the row → source choice itself: u < 0.75 → source 0
    const cum = cumulativeWeights([3, 1]);
    expect(Array.from(cum)).toEqual([0.75, 1]);
    expect(rows.map((t) => (t >= 2000 ? 1 : 0))).toEqual(rows.map((_, g) => sourceOfRow(cum, 7, g)));
  });

  it('cycles through each source: every run of N draws of a source is a permutation of its N examples', () => {
    const rows = tags(mixtureSchedule(sources, opts));
    const small = rows.filter((t) => t >= 2000).map((t) => t - 2000);
    const big = rows.filter((t) => t < 2000).map((t) => t - 1000);
    for (let c = 0; c + 3 <= small.length; c += 3) expect([...small.slice(c, c + 3)].sort()).toEqual([0, 1, 2]);
    for (let c = 0; c + 10 <= big.length; c += 10) expect([...big.slice(c, c + 10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the small source is repeated: its cycles differ (seeded per cycle), not one order over and over
    const cycles = new Set(Array.from({ length: Math.floor(small.length / 3) }, (_, c) => small.slice(3 * c, 3 * c + 3).join()));
    expect(cycles.size).toBeGreaterThan(1);
  });

  it('is a pure function of (seed, step): resuming at step 97 gives the uninterrupted run\'s batches', () => {
    const whole = [...mixtureSchedule(sources, opts)];
    const resumed = [...mixtureSchedule(sources, { ...opts, startStep: 97 })];
    expect(resumed.map((s) => s.step)).toEqual(whole.slice(97).map((s) => s.step));
    expect(tags(resumed)).toEqual(tags(whole.slice(97)));
    expect(resumed[0].epoch).toBeCloseTo(98 / Math.floor(13 / 4));
    // another seed, other batches
    expect(tags(mixtureSchedule(sources, { ...opts, seed: 8 }))).not.toEqual(tags(whole));
  });

  it('balanced weights give each source about half the rows', () => {
    const [a, b] = mixtureCounts([1, 1], 3, 2000);
    expect(a + b).toBe(2000);
    expect(Math.abs(a - 1000)).toBeLessThan(90); // sd ≈ 22
  });

  it('refuses a source without examples, naming it', () => {
    expect(() => [...mixtureSchedule([source('a', 1, 5, 1), { name: 'empty', weight: 1, examples: exampleArray([]) }], opts)]).toThrow(/mixture source "empty" has no training examples/);
  });
});
