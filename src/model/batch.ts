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
