import type { Batch } from '../../core/batch.ts';
import type { Example } from '../../core/batch.ts';

/** Stacks examples of equal length into one batch. */
export function stackExamples(examples: readonly Example[]): Batch {
  const B = examples.length;
  if (B === 0) throw new Error('stackExamples: empty batch');
  const T = examples[0].mask.length;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  examples.forEach((e, b) => {
    if (e.ids.length !== T + 1 || e.mask.length !== T) throw new Error(`stackExamples: example ${b} has length ${e.ids.length - 1}, expected ${T}`);
    x.set(e.ids.subarray(0, T), b * T);
    y.set(e.ids.subarray(1), b * T);
    mask.set(e.mask, b * T);
    for (let t = 0; t < T; t++) tokens += e.mask[t];
  });
  return { B, T, x, y, mask, tokens };
}

/** `trim_padding` cuts batches to their longest row rounded up to this many tokens (few shapes to compile and tune). */
export const TRIM_MULTIPLE = 64;

/** One past the last target a row's mask counts (0 when it counts none). */
export function countedLength(mask: Float32Array): number {
  for (let t = mask.length - 1; t >= 0; t--) if (mask[t] !== 0) return t + 1;
  return 0;
}

/**
 * The batch cut to its longest row: the columns past the last target any row counts (mask 1),
 * rounded up to a multiple of `multiple` (fewer distinct shapes for the GPU kernels to compile and
 * tune), at most T. Exact for a causal model: the cut columns add nothing to the loss and no earlier
 * position attends to them. A batch with nothing to cut (pack layout, or a full row) is returned as is.
 *
 * @example
 * trimPadding(stackExamples(poems), 64) // 64 poems of ≤ 150 tokens padded to 512 → T = 192
 */
export function trimPadding(b: Batch, multiple: number): Batch {
  let last = 0; // one past the last counted column over all rows
  for (let r = 0; r < b.B; r++) last = Math.max(last, countedLength(b.mask.subarray(r * b.T, (r + 1) * b.T)));
  const L = Math.min(b.T, Math.max(multiple, Math.ceil(last / multiple) * multiple));
  if (L >= b.T) return b;
  const cut = <A extends Int32Array | Float32Array>(a: A, out: A): A => {
    for (let r = 0; r < b.B; r++) out.set(a.subarray(r * b.T, r * b.T + L), r * L);
    return out;
  };
  return { B: b.B, T: L, x: cut(b.x, new Int32Array(b.B * L)), y: cut(b.y, new Int32Array(b.B * L)), mask: cut(b.mask, new Float32Array(b.B * L)), tokens: b.tokens };
}

/** Rows [start, end) of a batch, as a batch (views, no copy). */
export function sliceBatch(b: Batch, start: number, end: number): Batch {
  const { T } = b;
  const mask = b.mask.subarray(start * T, end * T);
  let tokens = 0;
  for (let i = 0; i < mask.length; i++) tokens += mask[i];
  return { B: end - start, T, x: b.x.subarray(start * T, end * T), y: b.y.subarray(start * T, end * T), mask, tokens };
}

/** Splits a batch into consecutive micro-batches of at most `size` rows (size 0 = no split). */
export function microBatches(b: Batch, size: number): Batch[] {
  if (size <= 0 || size >= b.B) return [b];
  const out: Batch[] = [];
  for (let s = 0; s < b.B; s += size) out.push(sliceBatch(b, s, Math.min(b.B, s + size)));
  return out;
}

/**
 * Batches of `size` examples for a token-weighted evaluation: the examples sorted by length, then
 * each batch trimmed to its longest row (rounded up to `multiple`). The loss is the same as over
 * batches in order (the same examples, weighted by their tokens); short rows stop paying for long
 * ones. The examples' array is not reordered.
 */
export function lengthSortedBatches(examples: readonly Example[], size: number, multiple: number): Batch[] {
  const byLength = examples.map((e) => ({ e, n: countedLength(e.mask) })).sort((a, b) => a.n - b.n);
  return chunkBatches(byLength.map((x) => x.e), size).map((b) => trimPadding(b, multiple));
}

/**
 * Consecutive batches of `size` examples in order, the last one shorter when the count does not
 * divide; at most `max` batches (0 = all). Stacks only the batches it returns.
 */
export function chunkBatches(examples: readonly Example[], size: number, max = 0): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < examples.length && (max === 0 || out.length < max); i += size) out.push(stackExamples(examples.slice(i, i + size)));
  return out;
}
