import { bufferCount, filter, map, type OperatorFunction, pipe } from 'rxjs';
import { stackExamples } from '../model/nn/batch.ts';
import type { Batch } from '../core/batch.ts';
import type { Example } from '../core/batch.ts';

/**
 * Groups examples into batches of `size`, stacked row-major. A last short batch is dropped unless
 * `keepRemainder` (training wants equal shapes; evaluation may want every example).
 *
 * @example
 * examples$.pipe(batch(16)) // Observable<Batch> with x, y, mask of [16, T]
 */
export function batch(size: number, opts: { readonly keepRemainder?: boolean } = {}): OperatorFunction<Example, Batch> {
  return pipe(
    bufferCount(size),
    filter((group) => group.length === size || (opts.keepRemainder === true && group.length > 0)),
    map(stackExamples),
  );
}
