import { stackExamples, trimPadding } from '../../model/nn/batch.ts';
import type { Example, ExampleSet } from '../../core/batch.ts';
import { asExampleSet } from '../../model/nn/exampleSets.ts';
import { deriveSeed, permutation } from '../../model/nn/rng.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { StepInput } from '../../core/stepState.ts';

export interface BatchScheduleOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Steps already done (resume): the first batch yielded is step startStep+1. */
  readonly startStep: number;
  readonly totalSteps: number;
  /** Polled before each batch: true makes that batch the final one. */
  readonly shouldStop?: () => boolean;
  /** Polled before each batch: true ends the schedule without another batch (the last one was already final, e.g. early stopping). */
  readonly shouldEnd?: () => boolean;
  /** > 0: cut each batch to its longest row, rounded up to this multiple (trimPadding). @default 0 */
  readonly trimTo?: number;
  /**
   * > 0: batches of similar lengths (HF's group_by_length): each epoch's permutation is cut into
   * mega-batches of this many batches, each sorted by length and cut into batches, and the epoch's
   * batches are then visited in a seeded random order. With trimTo, short rows stop paying for long
   * ones. @default 0
   */
  readonly groupByLength?: number;
}

/** Batches per epoch for n examples (the remainder of an epoch is skipped). */
export const stepsPerEpoch = (n: number, batchSize: number): number => Math.floor(n / batchSize);

/**
 * Lazy batch source: step s draws batch (s−1) mod E of epoch ⌊(s−1)/E⌋, where each epoch is its own
 * seeded permutation of the examples. The batch of a step is a pure function of (examples, seed,
 * step), so resuming at a step needs only the step number. Examples are read when their batch is
 * drawn (an ExampleSet reads them from the token cache on disk); resident are the epoch's
 * permutation and, with groupByLength, one length per example.
 */
export function* batchSchedule(source: ExampleSet | readonly Example[], o: BatchScheduleOptions): Generator<StepInput> {
  const examples = asExampleSet(source);
  const E = stepsPerEpoch(examples.length, o.batchSize);
  if (E < 1) throw new DataError(`the training set has ${examples.length} examples, fewer than one batch of ${o.batchSize}; lower batch_size or context, or add data`);
  const lengths = o.groupByLength ? Uint32Array.from({ length: examples.length }, (_, i) => examples.countedLength(i)) : null;
  let epochIdx = -1;
  let perm: Uint32Array = new Uint32Array(0);
  let order: Uint32Array | null = null;
  for (let step = o.startStep + 1; step <= o.totalSteps; step++) {
    if (o.shouldEnd?.()) return;
    const e = Math.floor((step - 1) / E);
    if (e !== epochIdx) {
      epochIdx = e;
      perm = permutation(examples.length, deriveSeed(o.seed, e));
      if (lengths) {
        perm = groupedByLength(perm.subarray(0, E * o.batchSize), lengths, o.groupByLength! * o.batchSize);
        order = permutation(E, deriveSeed(o.seed, e, 0x6c));
      }
    }
    const k = order ? order[(step - 1) % E] : (step - 1) % E;
    const rows = Array.from(perm.subarray(k * o.batchSize, (k + 1) * o.batchSize), (i) => examples.at(i));
    const final = step === o.totalSteps || (o.shouldStop?.() ?? false);
    const batch = stackExamples(rows);
    yield { step, epoch: step / E, batch: o.trimTo ? trimPadding(batch, o.trimTo) : batch, final };
    if (final) return;
  }
}

/** `idx` cut into runs of `mega` and each run sorted by length, longest first (ties keep their order). */
function groupedByLength(idx: Uint32Array, lengths: Uint32Array, mega: number): Uint32Array {
  const out = new Uint32Array(idx.length);
  for (let s = 0; s < idx.length; s += mega) {
    const run = Array.from(idx.subarray(s, Math.min(idx.length, s + mega)));
    run.sort((a, b) => lengths[b] - lengths[a]);
    out.set(run, s);
  }
  return out;
}
