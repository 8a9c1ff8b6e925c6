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
