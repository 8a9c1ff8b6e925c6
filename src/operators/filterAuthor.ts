import type { OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

/**
 * Keeps rows by their `author` column: with `keep` non-empty only those authors (rows without an
 * author are dropped then), and never the authors in `drop`. Names compare exactly after trimming
 * and NFC. Reports as `authors`.
 *
 * @example
 * rows$.pipe(filterAuthor({ keep: ['Пушкин', 'Лермонтов'], drop: [] }, report))
 */
export function filterAuthor<T extends { readonly author?: string }>(o: { readonly keep: readonly string[]; readonly drop: readonly string[] }, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  const norm = (s: string) => s.trim().normalize('NFC');
  const keep = new Set(o.keep.map(norm));
  const drop = new Set(o.drop.map(norm));
  return countedFilter(
    'authors',
    (row) => {
      const a = row.author === undefined ? undefined : norm(row.author);
      if (keep.size > 0 && (a === undefined || !keep.has(a))) return false;
      return a === undefined || !drop.has(a);
    },
    report,
  );
}
