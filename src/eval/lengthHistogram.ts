import { percentile } from './lengthStats.ts';

/** One bin of a histogram: [start, end) (the last one closed), and how many values fell in it. */
export interface HistogramBin {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/**
 * `bins` equal-width bins over [min, max] of `values`, as numpy's `histogram(values, bins)`: every bin
 * half-open [start, end) except the last, which holds max; all values equal → the range [v − 0.5,
 * v + 0.5]. Edges are min + i·(max − min)/bins (numpy's linspace). Empty input → no bins.
 */
export function lengthHistogram(values: readonly number[], bins = 30): HistogramBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`lengthHistogram: bins must be an integer ≥ 1, got ${bins}`);
  if (values.length === 0) return [];
  let lo = values.reduce((a, b) => Math.min(a, b));
  let hi = values.reduce((a, b) => Math.max(a, b));
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    let i = Math.min(bins - 1, Math.floor((v - lo) / width));
    // the division can land one bin off an edge by rounding: settle against the edges themselves
    while (i > 0 && v < edges[i]) i--;
    while (i < bins - 1 && v >= edges[i + 1]) i++;
    counts[i]++;
  }
  return counts.map((count, i) => ({ start: edges[i], end: edges[i + 1], count }));
}

/** A histogram of the values up to a percentile, and how many lie beyond it (left out of the bins). */
export interface ClippedHistogram {
  readonly bins: HistogramBin[];
  /** Values > `from` (the percentile) that no bin holds. */
  readonly above: { readonly from: number; readonly count: number };
}

/**
 * `lengthHistogram` of the values ≤ their q-th percentile (numpy's linear method) when the maximum is
 * more than twice that percentile, else of all values (`above.from` is then the maximum, count 0).
 * Document lengths have a long tail (the shipped Russian corpus: p50 423 tokens, max 19,528), and bins
 * over the whole range would put nearly every document into the first one.
 */
export function clippedHistogram(values: readonly number[], bins = 30, q = 99): ClippedHistogram {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { bins: [], above: { from: NaN, count: 0 } };
  const max = sorted[sorted.length - 1];
  const pq = percentile(sorted, q);
  const from = max > 2 * pq ? pq : max;
  const kept = sorted.filter((v) => v <= from);
  return { bins: lengthHistogram(kept, bins), above: { from, count: sorted.length - kept.length } };
}
