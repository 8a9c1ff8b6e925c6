import { defer, filter, finalize, type OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';

/**
 * `filter(keep)` that counts: when the stream ends (completes, errors or is unsubscribed) `report`
 * receives how many items `name` saw and dropped. Counts are per subscription (each one reads anew).
 *
 * @example
 * rows$.pipe(countedFilter('min_chars', (r) => r.text.length >= 20, (r) => console.log(r.dropped)))
 */
export function countedFilter<T>(name: string, keep: (item: T) => boolean, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  return (source) =>
    defer(() => {
      let seen = 0;
      let dropped = 0;
      return source.pipe(
        filter((item) => {
          seen++;
          const k = keep(item);
          if (!k) dropped++;
          return k;
        }),
        finalize(() => report?.({ filter: name, seen, dropped })),
      );
    });
}
