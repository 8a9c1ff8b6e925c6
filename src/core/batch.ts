/**
 * A training example is one row of T+1 token ids (inputs are row[0..T), targets row[1..T]) and a
 * loss mask over the T targets (0 on padding). A batch stacks B examples row-major.
 */
export interface Example {
  readonly ids: Int32Array; // [T+1]
  readonly mask: Float32Array; // [T]
}

export interface Batch {
  readonly B: number;
  readonly T: number;
  readonly x: Int32Array; // [B, T]
  readonly y: Int32Array; // [B, T]
  readonly mask: Float32Array; // [B, T]
  /** Tokens that count in the loss (mask sum). */
  readonly tokens: number;
}

/**
 * Examples by position, read on demand: from the token cache on disk (positioned reads) or from
 * documents in memory. Only the layout's index is resident, so memory does not grow with the corpus.
 */
export interface ExampleSet {
  readonly length: number;
  /** Example i, 0 ≤ i < length, as fresh arrays (the mask may be shared: treat it as read-only). */
  at(i: number): Example;
  /** One past the last target example i's mask counts (countedLength of its mask), without reading its tokens. */
  countedLength(i: number): number;
  /** Targets counted in the loss over all examples (the sum of their masks). */
  readonly tokens: number;
}
