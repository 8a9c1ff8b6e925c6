import { stackExamples, trimPadding } from '../../model/nn/batch.ts';
import type { ExampleSet } from '../../core/batch.ts';
import { deriveSeed, permutation } from '../../model/nn/rng.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { StepInput } from '../../core/stepState.ts';
import { type BatchScheduleOptions, stepsPerEpoch } from './batchSchedule.ts';

/** One source of a mixture as the schedule sees it: its training examples and its sampling weight (> 0). */
export interface MixtureInput {
  readonly name: string;
  readonly weight: number;
  readonly examples: ExampleSet;
}

const CHOICE = 0x6d6978; // "mix": the row → source stream
const CYCLE = 0x637963; // "cyc": each source's permutations

/**
 * The source of global row g (0-based over the run: step s's rows are (s−1)·B … s·B−1): a seeded
 * weighted choice, a pure function of (seed, g). `cum` are the cumulative normalised weights.
 */
export function sourceOfRow(cum: Float64Array, seed: number, g: number): number {
  const u = deriveSeed(seed, CHOICE, g % 0x1_0000_0000, Math.floor(g / 0x1_0000_0000)) / 0x1_0000_0000;
  let k = 0;
  while (k < cum.length - 1 && u >= cum[k]) k++;
  return k;
}

/** Cumulative weights normalised to 1 (the last is exactly 1). */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const cum = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, k) => (cum[k] = acc += w / total));
  cum[weights.length - 1] = 1;
  return cum;
}

/** Rows per source among the first `rows` rows of the schedule (what a run of rows/B steps draws). */
export function mixtureCounts(weights: readonly number[], seed: number, rows: number): number[] {
  const cum = cumulativeWeights(weights);
  const counts = new Array<number>(weights.length).fill(0);
  for (let g = 0; g < rows; g++) counts[sourceOfRow(cum, seed, g)]++;
  return counts;
}

/**
 * Lazy batch source over a mixture: each row of each batch draws its source by a seeded weighted
 * choice ({@link sourceOfRow}); source k's n-th draw is example perm_k,e[n mod N_k] of its own epoch
 * e = ⌊n / N_k⌋, a seeded permutation per source and epoch. A small source is thus repeated, a large
 * one visited in part, each in proportion to its weight. Batches are a pure function of (sources,
 * seed, step): resuming at step s replays the choices of the s·B rows before it (no example is read)
 * to know each source's position. The epoch reported is rows drawn / all sources' examples.
 * `groupByLength` is not supported with a mixture (refused by the caller).
 */
export function* mixtureSchedule(sources: readonly MixtureInput[], o: BatchScheduleOptions): Generator<StepInput> {
  if (sources.length === 0) throw new DataError('a mixture needs at least one source');
  for (const s of sources) if (s.examples.length === 0) throw new DataError(`mixture source "${s.name}" has no training examples; lower context or val_fraction, or add data`);
  const total = sources.reduce((n, s) => n + s.examples.length, 0);
  const E = stepsPerEpoch(total, o.batchSize);
  if (E < 1) throw new DataError(`the mixture has ${total} training examples, fewer than one batch of ${o.batchSize}; lower batch_size or context, or add data`);
  const cum = cumulativeWeights(sources.map((s) => s.weight));
  const drawn = new Array<number>(sources.length).fill(0);
  const perms: { epoch: number; perm: Uint32Array }[] = sources.map(() => ({ epoch: -1, perm: new Uint32Array(0) }));
  const B = o.batchSize;
  for (let g = 0; g < o.startStep * B; g++) drawn[sourceOfRow(cum, o.seed, g)]++;
  const pick = (k: number): number => {
    const n = sources[k].examples.length;
    const c = drawn[k]++;
    const e = Math.floor(c / n);
    if (perms[k].epoch !== e) perms[k] = { epoch: e, perm: permutation(n, deriveSeed(o.seed, CYCLE, k, e)) };
    return perms[k].perm[c % n];
  };
  for (let step = o.startStep + 1; step <= o.totalSteps; step++) {
    if (o.shouldEnd?.()) return;
    const rows = [];
    for (let r = 0; r < B; r++) {
      const k = sourceOfRow(cum, o.seed, (step - 1) * B + r);
      rows.push(sources[k].examples.at(pick(k)));
    }
    const final = step === o.totalSteps || (o.shouldStop?.() ?? false);
    const batch = stackExamples(rows);
    yield { step, epoch: step / E, batch: o.trimTo ? trimPadding(batch, o.trimTo) : batch, final };
    if (final) return;
  }
}
