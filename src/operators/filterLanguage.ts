import type { OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

/**
 * Keeps rows whose `language` column (Parquet column or JSONL key) is one of `languages`, compared
 * case-insensitively (`ru`, `en`, …); rows without a language are kept unless `dropUnknown`. No
 * language is guessed from the text (no maintained identifier ships with Versiflow; filterScript
 * filters by writing system instead). Reports as `languages`.
 *
 * @example
 * rows$.pipe(filterLanguage({ languages: ['ru'] }, report))
 */
export function filterLanguage<T extends { readonly language?: string }>(o: { readonly languages: readonly string[]; readonly dropUnknown?: boolean }, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  const keep = new Set(o.languages.map((l) => l.trim().toLowerCase()));
  return countedFilter('languages', (row) => (row.language === undefined || row.language === '' ? !o.dropUnknown : keep.has(row.language.toLowerCase())), report);
}
