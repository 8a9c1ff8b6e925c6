import { createHash } from 'node:crypto';
import { defer, type OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

/** 52 bits of the text's SHA-1, as a number (a Set of numbers costs far less than one of strings). */
export function textKey(text: string): number {
  const h = createHash('sha1').update(text).digest();
  return (h.readUInt32BE(0) & 0xfffff) * 0x1_0000_0000 + h.readUInt32BE(4);
}

/**
 * Drops every row whose text equals (after normalisation) an earlier row's, keeping the first.
 * Resident: one 52-bit hash per distinct text (≈ 20–40 bytes each); two different texts share a hash
 * with probability about n²/2⁵³ (n = 10⁶ texts: 1 in 9,000 that one row is dropped wrongly).
 *
 * @example
 * rows$.pipe(dedupeExact(report))
 */
export function dedupeExact<T extends { readonly text: string }>(report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  return (source) =>
    defer(() => {
      const seen = new Set<number>();
      const fresh = (row: T): boolean => {
        const k = textKey(row.text);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      };
      return source.pipe(countedFilter('dedupe', fresh, report));
    });
}
