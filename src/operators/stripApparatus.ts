import { defer, filter, finalize, map, type OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';

/**
 * The editorial apparatus removed by default: footnote markers in brackets (`[1]`, `[12]`, `[*]`),
 * asterisk and superscript-digit markers glued to a word (`море*`, `море**`, `море¹`), and page
 * numbers alone on a line (`12`, `- 12 -`, `— 12 —`, `[12]`, `с. 12`, `p. 12`; a bare number of up to
 * 3 digits, so a poem's closing year such as `1829` stays). A line of asterisks alone (`* * *`, a
 * section break in verse) is kept.
 */
export const APPARATUS: readonly RegExp[] = [
  /[ \t]*\[(?:\d{1,3}|\*{1,3})\]/gu,
  /(?<=\p{L}[»"”.,;:!?)]?)(?:\*{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)(?=[\s\p{P}]|$)/gu,
  /^[ \t]*(?:[-–—][ \t]*\d{1,4}[ \t]*[-–—]|\[\d{1,4}\]|(?:с|стр|p|pp|page)\.?[ \t]*\d{1,4}|\d{1,3})[ \t]*$(?:\r?\n)?/gimu,
];

/** `text` with every match of `patterns` removed, then blank runs collapsed and trimmed; `text` itself when nothing matched. */
export function stripText(text: string, patterns: readonly RegExp[]): string {
  let out = text;
  for (const p of patterns) out = out.replace(p, '');
  return out === text ? text : out.replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Removes editorial apparatus from each row's text: every match of `patterns` ({@link APPARATUS} by
 * default; a config's `strip_pattern` added or alone); a row whose text changes is passed on as a new
 * object, one left empty is dropped. Reports as `name`, with `changed` rows beside `dropped`.
 *
 * @example
 * rows$.pipe(stripApparatus(APPARATUS, report))
 */
export function stripApparatus<T extends { readonly text: string }>(patterns: readonly RegExp[] = APPARATUS, report?: (r: FilterReport) => void, name = 'strip_apparatus'): OperatorFunction<T, T> {
  return (source) =>
    defer(() => {
      let seen = 0;
      let changed = 0;
      let dropped = 0;
      return source.pipe(
        map((row) => {
          seen++;
          const text = stripText(row.text, patterns);
          if (text === row.text) return row;
          if (text === '') {
            dropped++;
            return null;
          }
          changed++;
          return { ...row, text };
        }),
        filter((row): row is T => row !== null),
        finalize(() => report?.({ filter: name, seen, dropped, changed })),
      );
    });
}
