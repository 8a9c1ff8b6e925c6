import type { PrefStepInput } from '../../core/prefStepInput.ts';
import { permutation } from '../../model/nn/rng.ts';

export interface PrefScheduleOptions {
  readonly batchSize: number;
  readonly seed: number;
  readonly totalSteps: number;
  /** Steps already done (resume); the schedule continues at startStep + 1 with the same order. @default 0 */
  readonly startStep?: number;
  /** Checked before each step: true makes the next step the final one. */
  readonly shouldStop?: () => boolean;
}

/**
 * Steps of `batchSize` items each, drawn without replacement from a seeded shuffle of `items` per
 * epoch (a new order every epoch), until `totalSteps`. Deterministic for a seed, so a resumed run
 * sees the same order.
 *
 * @example
 * pullThrough(prefSchedule(pairs, { batchSize: 16, seed: 1, totalSteps: 100 }), prefStep(...))
 */
export function* prefSchedule<R>(items: readonly R[], o: PrefScheduleOptions): Generator<PrefStepInput<R>> {
  if (items.length === 0) throw new Error('prefSchedule: no items');
  const n = items.length;
  let order: Uint32Array = new Uint32Array(0);
  let epoch = -1;
  for (let step = 1; step <= o.totalSteps; step++) {
    const rows: R[] = [];
    for (let k = 0; k < o.batchSize; k++) {
      const i = (step - 1) * o.batchSize + k; // the i-th item drawn by the run
      const e = Math.floor(i / n);
      if (e !== epoch) {
        epoch = e;
        order = permutation(n, o.seed + 7919 * e);
      }
      rows.push(items[order[i % n]]);
    }
    if (step <= (o.startStep ?? 0)) continue;
    const final = step === o.totalSteps || (o.shouldStop?.() ?? false);
    yield { step, epoch: (step * o.batchSize) / n, rows, final };
    if (final) return;
  }
}
