/** Statistics of the token lengths of a corpus's documents: token_length_stats.json. */
export interface TokenLengthStats {
  /** Documents. */
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation (numpy's default, ddof = 0). */
  readonly std: number;
  readonly min: number;
  /** Percentiles by numpy's default method (linear interpolation; see `percentile`). */
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly max: number;
  /** All tokens of all documents. */
  readonly tokens: number;
  /** All characters (Unicode code points) of all documents. */
  readonly chars: number;
  /** chars / tokens: how much text one token carries (1 for a char tokenizer); null with no tokens. */
  readonly chars_per_token: number | null;
}

/**
 * The q-th percentile (0 ≤ q ≤ 100) of `sorted` (ascending), numpy's default `method="linear"`:
 * index h = (n − 1)·q/100, value = x[⌊h⌋] + (x[⌊h⌋+1] − x[⌊h⌋])·(h − ⌊h⌋), evaluated as numpy's `_lerp`
 * does (from the upper end when the fraction is ≥ 0.5) so results match numpy bit for bit.
 * NaN for an empty list.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (q / 100) * (n - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Count, mean, population std, min, quartiles, p95 and max of per-document token lengths, and the
 * corpus's characters per token. `chars` is the total number of characters of the same documents.
 * No documents: count 0 and every statistic 0 (chars_per_token null).
 */
export function tokenLengthStats(lengths: readonly number[], chars: number): TokenLengthStats {
  const n = lengths.length;
  const sorted = [...lengths].sort((a, b) => a - b);
  const tokens = sorted.reduce((s, x) => s + x, 0);
  if (n === 0) return { count: 0, mean: 0, std: 0, min: 0, p25: 0, p50: 0, p75: 0, p95: 0, max: 0, tokens: 0, chars, chars_per_token: null };
  const mean = tokens / n;
  const std = Math.sqrt(sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  return {
    count: n,
    mean,
    std,
    min: sorted[0],
    p25: percentile(sorted, 25),
    p50: percentile(sorted, 50),
    p75: percentile(sorted, 75),
    p95: percentile(sorted, 95),
    max: sorted[n - 1],
    tokens,
    chars,
    chars_per_token: tokens > 0 ? chars / tokens : null,
  };
}
