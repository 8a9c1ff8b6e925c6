import type { OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

export interface LengthBounds {
  /** Keep rows at least this long; 0 = no lower bound. */
  readonly min: number;
  /** Keep rows at most this long; 0 = no upper bound. */
  readonly max: number;
}

/** Unicode code points of `s` (a surrogate pair counts once). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 === s.length) n++;
    else {
      n++;
      i++;
    }
  }
  return n;
}

/** Whether `n` is within the bounds (0 = that side open). */
export const withinLength = (n: number, b: LengthBounds): boolean => (b.min <= 0 || n >= b.min) && (b.max <= 0 || n <= b.max);

/**
 * Drops rows whose text is shorter than `min` or longer than `max` Unicode characters (code points,
 * measured after normalisation), reporting the count as `min_chars/max_chars`. Token bounds are
 * applied to the token cache's document index instead (no corpus read; see prepareData).
 *
 * @example
 * rows$.pipe(filterLength({ min: 20, max: 5000 }, report))
 */
export function filterLength<T extends { readonly text: string }>(bounds: LengthBounds, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  return countedFilter('length_chars', (row) => withinLength(codePoints(row.text), bounds), report);
}
