import { filter, map, type OperatorFunction, pipe } from 'rxjs';
import type { Example } from '../core/batch.ts';
import type { TokenizedDoc } from '../core/corpusDoc.ts';

/**
 * One document per row, like Poetru: the first T+1 tokens, right-padded with `padId`; the loss mask
 * is 1 only where the target is a real token. Documents shorter than 2 tokens have no target and are
 * dropped.
 *
 * @example
 * docs$.pipe(truncate(512, tok.padId)) // Observable<Example>, each ids [513], mask [512]
 */
export function truncate(T: number, padId: number): OperatorFunction<TokenizedDoc, Example> {
  return pipe(
    filter((d) => d.ids.length >= 2),
    map((d) => {
      const ids = new Int32Array(T + 1).fill(padId);
      const n = Math.min(d.ids.length, T + 1);
      ids.set(d.ids.subarray(0, n));
      const mask = new Float32Array(T);
      mask.fill(1, 0, n - 1);
      return { ids, mask };
    }),
  );
}
