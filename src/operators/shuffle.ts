import { mergeMap, type OperatorFunction, pipe, toArray } from 'rxjs';
import { permutation } from '../model/nn/rng.ts';

/**
 * Emits all source values, in an order fixed by `seed`, when the source completes (a full shuffle
 * needs the whole set; use it on a finite, in-memory stream such as one epoch of examples).
 *
 * @example
 * from(examples).pipe(shuffle(1337), batch(16))
 */
export function shuffle<T>(seed: number): OperatorFunction<T, T> {
  return pipe(
    toArray(),
    mergeMap((all) => Array.from(permutation(all.length, seed), (i) => all[i])),
  );
}
