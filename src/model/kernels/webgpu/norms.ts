import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused RMSNorm and LayerNorm on WebGPU. RMSNorm, equal to `rmsNorm` in ../../gpt.ts (values and gradients):
 *   forward   r = rsqrt(mean_c(x²) + eps)              per row, saved for the backward pass
 *             y = x · r · scale
 *   backward  g = scale · dy
 *             dx = r · (g − x · r² · mean_c(g · x))
 *             dscale = Σ_rows dy · x · r
 * Layout: x, y, dy, dx [R, C] row-major (R = product of the leading dims), scale [C], r [R].
 * Forward: one workgroup per row; each thread keeps its columns (c = li + k·WG, k < K) in registers,
 * so x is read once; Σx² is a workgroup-memory tree reduction. vec4 lanes when C % 4 == 0.
 * Backward: one workgroup per chunk of rows; per row it reduces Σ g·x and writes dx, and each thread
 * accumulates dy·x·r for its columns over the chunk in registers, written once per chunk to a
 * [chunks, C] buffer that tf.sum reduces over axis 0.
 * Workgroup-memory reductions only (no subgroup ops), so it runs on any adapter.
 *
 * LayerNorm (`center`, equal to `layerNorm` in ../../gpt.ts) shares the kernels with the mean taken out:
 *   forward   μ = mean_c(x),  r = rsqrt(mean_c((x − μ)²) + eps),  x̂ = (x − μ)·r,  y = x̂ · scale
 *             (μ saved beside r)
 *   backward  g = scale · dy,  dx = r · (g − mean_c(g) − x̂ · mean_c(g · x̂)),  dscale = Σ_rows dy · x̂
 */

interface Shape {
  /** Columns C. */
  readonly c: number;
  readonly vec: boolean;
  /** Lanes per row: C/4 with vec4, else C. */
  readonly lanes: number;
  /** Threads per workgroup (a power of two, 32..256). */
  readonly wg: number;
  /** Lanes per thread: ceil(lanes / wg). */
  readonly k: number;
  /** LayerNorm: subtract the row mean first (RMSNorm: false). */
  readonly center: boolean;
}

function shapeFor(c: number, center = false): Shape {
  const vec = c % 4 === 0;
  const lanes = vec ? c / 4 : c;
  const wg = Math.min(256, Math.max(32, 2 ** Math.ceil(Math.log2(lanes))));
  return { c, vec, lanes, wg, k: Math.ceil(lanes / wg), center };
}

const keyOf = (name: string, s: Shape) => `versiflow-${s.center ? 'layernorm' : 'rmsnorm'}-${name}-c${s.c}-${s.vec ? 'vec4' : 'f32'}-wg${s.wg}`;

/** WGSL helpers shared by both kernels: the lane type, Σ over the workgroup, a dot product. */
function prelude(s: Shape): string {
  const T = s.vec ? 'vec4<f32>' : 'f32';
  return /* wgsl */ `
alias T = ${T};
const WG = ${s.wg}u;
const K = ${s.k}u;
const LANES = ${s.lanes}u;
const C = ${s.c}.0;
var<workgroup> red: array<f32, ${s.wg}>;
fn dotT(a: T, b: T) -> f32 { return ${s.vec ? 'dot(a, b)' : 'a * b'}; }
fn sumT(a: T) -> f32 { return ${s.vec ? 'a.x + a.y + a.z + a.w' : 'a'}; }
// Σ of v over the workgroup; every thread gets the total. Ends with a barrier so red can be reused.
fn sumAll(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    if (li < h) { red[li] = red[li] + red[li + h]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}`;
}

function forwardCode(s: Shape): string {
  return /* wgsl */ `${prelude(s)}
struct U { rows: u32, eps: f32 };
@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> scale: array<T>;
@group(0) @binding(2) var<storage, read_write> y: array<T>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
${s.center ? '@group(0) @binding(4) var<storage, read_write> mean: array<f32>;' : ''}
@group(0) @binding(${s.center ? 5 : 4}) var<uniform> u: U;
@compute @workgroup_size(${s.wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= u.rows) { return; }
  let base = row * LANES;
  var xs: array<T, K>;
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let j = li + k * WG;
    if (j < LANES) { xs[k] = x[base + j]; }
  }
  ${
    s.center
      ? `var tot = 0.0;
  for (var k = 0u; k < K; k++) { if (li + k * WG < LANES) { tot += sumT(xs[k]); } }
  let mu = sumAll(tot, li) / C;
  for (var k = 0u; k < K; k++) { if (li + k * WG < LANES) { xs[k] = xs[k] - T(mu); } }`
      : ''
  }
  for (var k = 0u; k < K; k++) { if (li + k * WG < LANES) { acc += dotT(xs[k], xs[k]); } }
  let r = inverseSqrt(sumAll(acc, li) / C + u.eps);
  for (var k = 0u; k < K; k++) {
    let j = li + k * WG;
    if (j < LANES) { y[base + j] = xs[k] * r * scale[j]; }
  }
  if (li == 0u) {
    rstd[row] = r;${s.center ? '\n    mean[row] = mu;' : ''}
  }
}`;
}

function backwardCode(s: Shape): string {
  return /* wgsl */ `${prelude(s)}
struct U { rows: u32, rowsPerChunk: u32, chunks: u32 };
@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> scale: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<T>;
@group(0) @binding(5) var<storage, read_write> dscalePart: array<T>;
${s.center ? '@group(0) @binding(6) var<storage, read> mean: array<f32>;' : ''}
@group(0) @binding(${s.center ? 7 : 6}) var<uniform> u: U;
@compute @workgroup_size(${s.wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let chunk = wid.y * nwg.x + wid.x;
  if (chunk >= u.chunks) { return; }
  var sc: array<T, K>;
  var ds: array<T, K>;
  for (var k = 0u; k < K; k++) {
    let j = li + k * WG;
    if (j < LANES) { sc[k] = scale[j]; }
  }
  let first = chunk * u.rowsPerChunk;
  let end = min(first + u.rowsPerChunk, u.rows);
  for (var row = first; row < end; row++) {
    let base = row * LANES;
    let r = rstd[row];
    ${s.center ? 'let mu = T(mean[row]);' : ''}
    var xs: array<T, K>;
    var gs: array<T, K>;
    var acc = 0.0;
    var gsum = 0.0;
    for (var k = 0u; k < K; k++) {
      let j = li + k * WG;
      if (j < LANES) {
        let xv = ${s.center ? '(x[base + j] - mu) * r' : 'x[base + j]'};
        let d = dy[base + j];
        let g = d * sc[k];
        xs[k] = xv;
        gs[k] = g;
        acc += dotT(g, xv);
        ${s.center ? 'gsum += sumT(g);\n        ds[k] += d * xv;' : 'ds[k] += d * (xv * r);'}
      }
    }
    ${
      s.center
        ? `// xs holds x̂ here: dx = r · (g − mean(g) − x̂ · mean(g · x̂))
    let gm = T(sumAll(gsum, li) / C);
    let c = sumAll(acc, li) / C;
    for (var k = 0u; k < K; k++) {
      let j = li + k * WG;
      if (j < LANES) { dx[base + j] = r * (gs[k] - gm - xs[k] * c); }
    }`
        : `let c = r * r * (sumAll(acc, li) / C);
    for (var k = 0u; k < K; k++) {
      let j = li + k * WG;
      if (j < LANES) { dx[base + j] = r * (gs[k] - xs[k] * c); }
    }`
    }
  }
  for (var k = 0u; k < K; k++) {
    let j = li + k * WG;
    if (j < LANES) { dscalePart[chunk * LANES + j] = ds[k]; }
  }
}`;
}

/** x [R, C] → y [R, C] and the row statistics: rstd [R] (and the mean [R] when centring). */
function forward(x: tf.Tensor2D, scale: tf.Tensor1D, eps: number, center: boolean): tf.Tensor[] {
  const b = tf.backend();
  const [rows, c] = x.shape;
  const s = shapeFor(c, center);
  const y = allocOutput(b, [rows, c]);
  const stats = center ? [allocOutput(b, [rows]), allocOutput(b, [rows])] : [allocOutput(b, [rows])];
  runKernel(b, {
    key: keyOf('fwd', s),
    code: () => forwardCode(s),
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: scale, access: 'read' },
      { tensor: y, access: 'read_write' },
      ...stats.map((t) => ({ tensor: t, access: 'read_write' as const })),
    ],
    uniforms: uniformBytes([{ u: rows }, eps]),
    workgroups: grid(rows),
  });
  const e = tf.engine();
  return [y, ...stats].map((t) => e.makeTensorFromTensorInfo(t));
}

/** Rows per backward workgroup: at least 4, and about ≤ 1024 chunks so the [chunks, C] partials stay small. */
function rowsPerChunk(rows: number): number {
  return Math.max(4, Math.ceil(rows / 1024));
}

/** dy, x [R, C], scale [C], rstd [R] (and mean [R] when centring) → dx [R, C], dscale [C]. */
function backward(dy: tf.Tensor2D, x: tf.Tensor2D, scale: tf.Tensor1D, rstd: tf.Tensor1D, mean?: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D] {
  const b = tf.backend();
  const [rows, c] = x.shape;
  const s = shapeFor(c, mean !== undefined);
  const per = rowsPerChunk(rows);
  const chunks = Math.max(1, Math.ceil(rows / per));
  const dx = allocOutput(b, [rows, c]);
  const part = allocOutput(b, [chunks, c]);
  runKernel(b, {
    key: keyOf('bwd', s),
    code: () => backwardCode(s),
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: scale, access: 'read' },
      { tensor: dy, access: 'read' },
      { tensor: rstd, access: 'read' },
      { tensor: dx, access: 'read_write' },
      { tensor: part, access: 'read_write' },
      ...(mean ? [{ tensor: mean, access: 'read' as const }] : []),
    ],
    uniforms: uniformBytes([{ u: rows }, { u: per }, { u: chunks }]),
    workgroups: grid(chunks),
  });
  const e = tf.engine();
  const partials = e.makeTensorFromTensorInfo(part) as tf.Tensor2D;
  const dscale = partials.sum(0) as tf.Tensor1D;
  partials.dispose();
  return [e.makeTensorFromTensorInfo(dx) as tf.Tensor2D, dscale];
}

/**
 * x [..., C] (rank ≥ 2) · rsqrt(mean(x², -1) + eps) · scale [C], with gradients for x and scale,
 * on the webgpu backend.
 */
export function rmsNormFused(x: tf.Tensor, scale: tf.Tensor, eps: number): tf.Tensor {
  return normFused(x, scale, eps, false);
}

/** LayerNorm: (x − mean) · rsqrt(var + eps) · scale [C] over the last axis (biased variance), with gradients, on webgpu. */
export function layerNormFused(x: tf.Tensor, scale: tf.Tensor, eps: number): tf.Tensor {
  return normFused(x, scale, eps, true);
}

function normFused(x: tf.Tensor, scale: tf.Tensor, eps: number, center: boolean): tf.Tensor {
  const name = center ? 'layerNormFused' : 'rmsNormFused';
  if (x.rank < 2) throw new Error(`${name}: x must have rank ≥ 2, got shape [${x.shape}]`);
  const c = x.shape[x.rank - 1];
  if (scale.rank !== 1 || scale.shape[0] !== c) throw new Error(`${name}: scale must be [${c}], got [${scale.shape}]`);
  const rows = x.size / c;
  const op = (xIn: tf.Tensor, scaleIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, ...stats] = forward(xIn.reshape([rows, c]), scaleIn as tf.Tensor1D, eps, center);
    save([xIn, scaleIn, ...stats]);
    return {
      value: y.reshape(xIn.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss, rs, mean] = saved;
        const [dx, dscale] = backward(dy.reshape([rows, c]), xs.reshape([rows, c]), ss as tf.Tensor1D, rs as tf.Tensor1D, mean as tf.Tensor1D | undefined);
        return [dx.reshape(xs.shape), dscale];
      },
    };
  };
  return tf.tidy(`versiflow:${center ? 'layernorm' : 'rmsnorm'}`, () => tf.customGrad(op as unknown as Parameters<typeof tf.customGrad>[0])(x, scale));
}
