import type { OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

/**
 * `Cyrillic,Latin` → a RegExp matching a letter of any of those Unicode scripts (`\p{Script=…}`, the
 * names Unicode and JavaScript use: Cyrillic, Latin, Greek, Han, Arabic, …). Throws a RangeError
 * naming an unknown script.
 */
export function scriptPattern(scripts: string): RegExp {
  const names = scripts.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    try {
      new RegExp(`\\p{Script=${n}}`, 'u');
    } catch {
      throw new RangeError(`unknown Unicode script "${n}" (names as in \\p{Script=…}: Cyrillic, Latin, Greek, Han, Arabic, Hebrew, …)`);
    }
  }
  return new RegExp(names.map((n) => `\\p{Script=${n}}`).join('|'), 'u');
}

/** Of the letters (\p{L}) of `text`, the share in `pattern`'s scripts; 0 for a text without letters. */
export function scriptShare(text: string, pattern: RegExp): number {
  let letters = 0;
  let inScript = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    if (pattern.test(ch)) inScript++;
  }
  return letters === 0 ? 0 : inScript / letters;
}

/**
 * Keeps rows whose letters are at least `minShare` in the given Unicode scripts (e.g. Cyrillic ≥ 0.5
 * keeps Russian poems and drops English or transliterated ones); a row without letters is dropped.
 * Reports as `script`. (A script is not a language: Russian and Ukrainian are both Cyrillic; see
 * filterLanguage for the corpus's language column.)
 *
 * @example
 * rows$.pipe(filterScript({ scripts: 'Cyrillic', minShare: 0.5 }, report))
 */
export function filterScript<T extends { readonly text: string }>(o: { readonly scripts: string; readonly minShare: number }, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  const pattern = scriptPattern(o.scripts);
  return countedFilter('script', (row) => scriptShare(row.text, pattern) >= o.minShare && /\p{L}/u.test(row.text), report);
}
