import { Rng } from '../model/nn/rng.ts';
import { symmetricEigen } from './symmetricEigen.ts';

/** A principal component analysis of n points in d dimensions. */
export interface Pca {
  /** Column means [d]: points are centred on them before projecting. */
  readonly mean: Float64Array;
  /** The top k principal axes, unit vectors [d], by decreasing variance; each has its largest-magnitude entry positive. */
  readonly components: readonly Float64Array[];
  /** Variance along each axis (eigenvalues of the covariance, ddof 1: scikit-learn's `explained_variance_`). */
  readonly variances: readonly number[];
  /** variances / total variance (scikit-learn's `explained_variance_ratio_`). */
  readonly ratios: readonly number[];
  /** Trace of the covariance (ddof 1). */
  readonly totalVariance: number;
  /** Subspace iterations it took; `converged` false when it stopped at the limit. */
  readonly iterations: number;
  readonly converged: boolean;
}

export interface PcaOptions {
  /** Stop when ‖C·v − λ·v‖ ≤ tol·λ₁ for each of the k Ritz pairs. @default 1e-10 */
  readonly tol?: number;
  /** @default 2000 */
  readonly maxIterations?: number;
}

/**
 * PCA of `rows` (n ≥ 2 points of equal dimension d): centred, the top-k eigenvectors of the
 * covariance by subspace iteration with Rayleigh–Ritz on min(d, k + 8) vectors. Each iteration costs
 * 2·n·d·p multiply-adds and never forms the d×d covariance, so it suits a few thousand points of a
 * model's hidden width. Deterministic: a fixed start and a sign convention (an axis's
 * largest-magnitude entry is positive, the convention of scikit-learn ≥ 1.5's `svd_flip` on
 * components), so axes equal scikit-learn's `components_` up to that sign choice.
 *
 * @example
 * const p = pca([[0, 0], [2, 1], [4, 2]]); // p.components[0] ≈ [0.894, 0.447], p.ratios[0] = 1
 * project(p, [2, 1]); // [0, 0]: the mean
 */
export function pca(rows: readonly ArrayLike<number>[], k = 2, opts: PcaOptions = {}): Pca {
  const n = rows.length;
  if (n < 2) throw new RangeError(`pca: needs at least 2 points, got ${n}`);
  const d = rows[0].length;
  if (!Number.isInteger(k) || k < 1 || k > d) throw new RangeError(`pca: k must be an integer in 1..${d} (the dimension), got ${k}`);
  const tol = opts.tol ?? 1e-10;
  const maxIterations = opts.maxIterations ?? 2000;
  const mean = new Float64Array(d);
  for (const r of rows) {
    if (r.length !== d) throw new RangeError(`pca: every point needs ${d} coordinates, got one with ${r.length}`);
    for (let j = 0; j < d; j++) mean[j] += r[j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const x = new Float64Array(n * d); // centred [n, d]
  let total = 0;
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) {
      const v = r[j] - mean[j];
      x[i * d + j] = v;
      total += v * v;
    }
  });
  total /= n - 1;

  const p = Math.min(d, k + 8);
  const rng = new Rng(0x5eed);
  let q = orthonormalize(Array.from({ length: p }, () => Float64Array.from({ length: d }, () => rng.next() - 0.5)), d);
  let result: { vectors: Float64Array[]; values: number[] } = { vectors: q.slice(0, k), values: new Array<number>(k).fill(0) };
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const y = q.map((v) => covTimes(x, n, d, v)); // C·Q [p][d]
    const h = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) h[a * p + b] = (dot(q[a], y[b]) + dot(q[b], y[a])) / 2;
    const { values, vectors: w } = symmetricEigen(h, p);
    const ritz = (basis: Float64Array[], i: number) => {
      const out = new Float64Array(d);
      for (let b = 0; b < p; b++) {
        const c = w[b * p + i];
        for (let j = 0; j < d; j++) out[j] += c * basis[b][j];
      }
      return out;
    };
    const v = Array.from({ length: p }, (_, i) => ritz(q, i)); // Ritz vectors
    const cv = Array.from({ length: p }, (_, i) => ritz(y, i)); // C·(Ritz vectors), free from C·Q
    const scale = Math.max(Math.abs(values[0]), Number.MIN_VALUE);
    converged = true;
    for (let i = 0; i < k; i++) {
      let r = 0;
      for (let j = 0; j < d; j++) r += (cv[i][j] - values[i] * v[i][j]) ** 2;
      if (Math.sqrt(r) > tol * scale) converged = false;
    }
    result = { vectors: v.slice(0, k), values: Array.from(values.slice(0, k)) };
    if (!converged) q = orthonormalize(cv, d);
  }
  const components = result.vectors.map((v) => {
    const len = Math.sqrt(dot(v, v));
    const unit = v.map((c) => c / len);
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(unit[j]) > Math.abs(unit[big])) big = j;
    return unit[big] < 0 ? unit.map((c) => -c) : unit;
  });
  const variances = result.values.map((l) => Math.max(0, l));
  return { mean, components, variances, ratios: variances.map((l) => (total > 0 ? l / total : 0)), totalVariance: total, iterations, converged };
}

/** The coordinates of a point on a PCA's axes: (x − mean)·component for each component. */
export function project(p: Pca, point: ArrayLike<number>): number[] {
  return p.components.map((c) => {
    let s = 0;
    for (let j = 0; j < c.length; j++) s += (point[j] - p.mean[j]) * c[j];
    return s;
  });
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** C·v = Xᵀ(X·v)/(n − 1) for the centred X [n, d], without forming C. */
function covTimes(x: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += x[o + j] * v[j];
    for (let j = 0; j < d; j++) out[j] += s * x[o + j];
  }
  for (let j = 0; j < d; j++) out[j] /= n - 1;
  return out;
}

/**
 * Modified Gram–Schmidt, twice for stability. A vector that vanishes against the earlier ones (a
 * rank-deficient set) is replaced by the first unit basis vector that does not, so the basis stays
 * full and deterministic.
 */
function orthonormalize(vs: readonly Float64Array[], d: number): Float64Array[] {
  const out: Float64Array[] = [];
  const reduce = (v: Float64Array) => {
    const w = Float64Array.from(v);
    for (let pass = 0; pass < 2; pass++) for (const u of out) {
      const c = dot(u, w);
      for (let j = 0; j < d; j++) w[j] -= c * u[j];
    }
    return w;
  };
  for (const v of vs) {
    const before = Math.sqrt(dot(v, v));
    let w = reduce(v);
    let norm = Math.sqrt(dot(w, w));
    if (!(norm > 1e-10 * before)) {
      for (let e = 0; e < d; e++) {
        const basis = new Float64Array(d);
        basis[e] = 1;
        w = reduce(basis);
        norm = Math.sqrt(dot(w, w));
        if (norm > 1e-6) break;
      }
    }
    out.push(w.map((c) => c / norm));
  }
  return out;
}
