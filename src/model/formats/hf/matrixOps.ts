/**
 * Row-major float32 matrix helpers for moving weights between layouts: Versiflow stores matrices
 * [in, out] (x·W), PyTorch's nn.Linear [out, in] (W·x), GPT-2's Conv1D [in, out].
 */

/** a [rows, cols] → aᵀ [cols, rows]. Exact (a copy). */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  if (a.length !== rows * cols) throw new Error(`transpose: ${a.length} values do not make [${rows}, ${cols}]`);
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Columns [from, from + n) of a [rows, cols] → [rows, n]. */
export function sliceColumns(a: Float32Array, rows: number, cols: number, from: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * cols + from, r * cols + from + n), r * n);
  return out;
}

/** [rows, c1], [rows, c2], ... side by side → [rows, Σc]. */
export function concatColumns(parts: readonly { data: Float32Array; cols: number }[], rows: number): Float32Array {
  const total = parts.reduce((n, p) => n + p.cols, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    for (const p of parts) {
      out.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), at);
      at += p.cols;
    }
  }
  return out;
}

/**
 * a [n, k] · b [k, m] → [n, m], accumulated in float64 and rounded once to float32 (the correctly
 * rounded product of the float32 inputs, up to float64's own rounding). Used to fold two linear maps
 * into one; O(n·k·m).
 */
export function matmul64(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const acc = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      if (x === 0) continue;
      const row = p * m;
      const o = i * m;
      for (let j = 0; j < m; j++) acc[o + j] += x * b[row + j];
    }
  }
  return Float32Array.from(acc);
}

/** v [k] · b [k, m] + c [m] (c may be absent) → [m], in float64 rounded once. */
export function vecmatAdd64(v: Float32Array, b: Float32Array, k: number, m: number, c?: Float32Array): Float32Array {
  const acc = new Float64Array(m);
  if (c) for (let j = 0; j < m; j++) acc[j] = c[j];
  for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) acc[j] += v[p] * b[p * m + j];
  return Float32Array.from(acc);
}

/**
 * The order of a head's features that turns interleaved RoPE pairs (2i, 2i+1) into half-split pairs
 * (i, i + d/2): position j·d/2 + i takes feature 2i + j. Applied to the q and k features of every
 * head (and nothing else), q·k is unchanged, because both sides are permuted alike.
 */
export function interleavedToHalf(d: number): Int32Array {
  const perm = new Int32Array(d);
  for (let i = 0; i < d / 2; i++) for (let j = 0; j < 2; j++) perm[j * (d / 2) + i] = 2 * i + j;
  return perm;
}

/** Columns of a [rows, heads·d] reordered per head: new column h·d + t = old column h·d + perm[t]. */
export function permuteHeadColumns(a: Float32Array, rows: number, heads: number, perm: Int32Array): Float32Array {
  const d = perm.length;
  const cols = heads * d;
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let h = 0; h < heads; h++) for (let t = 0; t < d; t++) out[r * cols + h * d + t] = a[r * cols + h * d + perm[t]];
  return out;
}
