import { type Example, stackExamples } from '../model/batch.ts';
import { deriveSeed, permutation } from '../model/rng.ts';
import { DataError } from '../errors/DataError.ts';
import type { StepInput } from './stepState.ts';

export interface BatchScheduleOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Steps already done (resume): the first batch yielded is step startStep+1. */
  readonly startStep: number;
  readonly totalSteps: number;
  /** Polled before each batch: true makes that batch the final one. */
  readonly shouldStop?: () => boolean;
}

/** Batches per epoch for n examples (the remainder of an epoch is skipped). */
export const stepsPerEpoch = (n: number, batchSize: number): number => Math.floor(n / batchSize);

/**
 * Lazy batch source: step s draws batch (s−1) mod E of epoch ⌊(s−1)/E⌋, where each epoch is its own
 * seeded permutation of the examples. The batch of a step is a pure function of (examples, seed,
 * step), so resuming at a step needs only the step number.
 */
export function* batchSchedule(examples: readonly Example[], o: BatchScheduleOptions): Generator<StepInput> {
  const E = stepsPerEpoch(examples.length, o.batchSize);
  if (E < 1) throw new DataError(`the training set has ${examples.length} examples, fewer than one batch of ${o.batchSize}; lower batch_size or context, or add data`);
  let epochIdx = -1;
  let perm: Uint32Array = new Uint32Array(0);
  for (let step = o.startStep + 1; step <= o.totalSteps; step++) {
    const e = Math.floor((step - 1) / E);
    if (e !== epochIdx) {
      epochIdx = e;
      perm = permutation(examples.length, deriveSeed(o.seed, e));
    }
    const k = (step - 1) % E;
    const rows = Array.from(perm.subarray(k * o.batchSize, (k + 1) * o.batchSize), (i) => examples[i]);
    const final = step === o.totalSteps || (o.shouldStop?.() ?? false);
    yield { step, epoch: step / E, batch: stackExamples(rows), final };
    if (final) return;
  }
}
