import * as tf from '@tensorflow/tfjs';
import { fusedOn } from '../select.ts';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';
import { overrideKernel } from './overrideKernel.ts';

/**
 * `Sum` over the leading axes on the webgpu backend, without a transpose: x viewed as [R, C]
 * (R = the product of the reduced leading axes) → [C]. This is the reduction of every bias and
 * norm-scale gradient (tfjs's gradient of a broadcast add sums dy over its leading axes), and tfjs's
 * stock reduce sums only the innermost axis: it first transposes x, a full copy of a [B·T, F]
 * gradient (226 MB for Poetru-75M's gate|up bias at batch 32, twice per layer with the down bias).
 *   pass 1  workgroup = 64 columns × 4 row lanes over a chunk of rows; consecutive threads read
 *           consecutive columns of a row (coalesced); the 4 lanes meet in workgroup memory; the
 *           chunk's column sums go to the output (one chunk) or to partials [S, C]
 *   pass 2  (S > 1) one thread per column adds the S partials
 * Registered as a wrapper of tfjs's own Sum kernel (`registerSumRows`); every other sum
 * (innermost axes, full reductions, int32, other backends) runs the stock kernel.
 */

const COLS = 64;
const LANES = 4;
/** Rows a pass-1 workgroup sums at least (fewer chunks means fewer partials). */
const MIN_ROWS_PER_CHUNK = 256;
const MAX_CHUNKS = 64;

/** How many leading axes `axes` names (in any order or sign), or null when they are not exactly some leading axes. */
function leadingAxes(rank: number, axes: readonly number[]): number | null {
  const norm = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  return norm.length === 0 || norm.some((a, i) => a !== i) ? null : norm.length;
}

/** How sum(x, axes) runs here: the reduced rows R, kept columns C, chunks S; null = stock kernel. */
export function planSumRows(shape: readonly number[], axes: readonly number[], dtype: tf.DataType): { R: number; C: number; S: number } | null {
  if (dtype !== 'float32' || shape.length < 2) return null;
  const k = leadingAxes(shape.length, axes);
  if (k === null || k === shape.length) return null; // not the leading axes, or every axis
  const R = shape.slice(0, k).reduce((a, b) => a * b, 1);
  const C = shape.slice(k).reduce((a, b) => a * b, 1);
  if (R < 2 || C === 0) return null;
  const S = Math.min(MAX_CHUNKS, Math.max(1, Math.floor(R / MIN_ROWS_PER_CHUNK)));
  return { R, C, S };
}

function pass1Code(): string {
  return /* wgsl */ `
struct U { R: u32, C: u32, rowsPer: u32, S: u32 };
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
var<workgroup> part: array<f32, ${COLS * LANES}>;
@compute @workgroup_size(${COLS * LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let wg = wid.y * nwg.x + wid.x;
  let colBlocks = (u.C + ${COLS - 1}u) / ${COLS}u;
  let s = wg / colBlocks;            // uniform per workgroup: the early return keeps barriers uniform
  if (s >= u.S) { return; }
  let c = (wg % colBlocks) * ${COLS}u + li % ${COLS}u;
  let lane = li / ${COLS}u;
  let r0 = s * u.rowsPer;
  let r1 = min(u.R, r0 + u.rowsPer);
  var acc = 0.0;
  if (c < u.C) {
    for (var r = r0 + lane; r < r1; r += ${LANES}u) { acc += x[r * u.C + c]; }
  }
  part[li] = acc;
  workgroupBarrier();
  if (lane == 0u && c < u.C) {
    var total = part[li];
    for (var l = 1u; l < ${LANES}u; l++) { total += part[li + l * ${COLS}u]; }
    y[s * u.C + c] = total;
  }
}`;
}

function pass2Code(): string {
  return /* wgsl */ `
struct U { C: u32, S: u32 };
@group(0) @binding(0) var<storage, read> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let c = (wid.y * nwg.x + wid.x) * 256u + li;
  if (c >= u.C) { return; }
  var acc = 0.0;
  for (var s = 0u; s < u.S; s++) { acc += p[s * u.C + c]; }
  y[c] = acc;
}`;
}

/** sum(x, axes, keepDims) on the webgpu backend, or null when the stock kernel should run it. */
export function sumRowsWebgpu(backend: tf.KernelBackend, x: tf.TensorInfo, axes: readonly number[], keepDims: boolean): tf.TensorInfo | null {
  const p = planSumRows(x.shape, axes, x.dtype);
  if (!p) return null;
  const k = leadingAxes(x.shape.length, axes)!; // planSumRows checked them
  const out = allocOutput(backend, keepDims ? x.shape.map((n, i) => (i < k ? 1 : n)) : x.shape.slice(k));
  const dst = p.S > 1 ? allocOutput(backend, [p.S * p.C]) : out;
  const rowsPer = Math.ceil(p.R / p.S);
  const groups = Math.ceil(p.C / COLS) * p.S;
  runKernel(backend, {
    key: 'versiflow-sum-rows',
    code: pass1Code,
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: dst, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: p.R }, { u: p.C }, { u: rowsPer }, { u: p.S }]),
    workgroups: grid(groups),
  });
  if (p.S > 1) {
    runKernel(backend, {
      key: 'versiflow-sum-rows-partials',
      code: pass2Code,
      bindings: [
        { tensor: dst, access: 'read' },
        { tensor: out, access: 'read_write' },
      ],
      uniforms: uniformBytes([{ u: p.C }, { u: p.S }]),
      workgroups: grid(Math.ceil(p.C / 256)),
    });
    backend.disposeData(dst.dataId); // released once the recorded commands are submitted
  }
  return out;
}

/** Sum calls the wrapper ran itself and passed to the stock kernel (for tests and benches). */
export const sumRowsCalls = { ours: 0, stock: 0 };

/**
 * Makes the webgpu backend's `Sum` run sumRowsWebgpu for leading-axes float32 sums while the
 * `sum_rows` kernel is on, and tfjs's own kernel otherwise. Returns false when the webgpu backend
 * is not loaded. Idempotent.
 */
export function registerSumRows(): boolean {
  return sum.register();
}

/** Puts tfjs's stock Sum back (no-op when not registered). */
export function unregisterSumRows(): void {
  sum.unregister();
}

const sum = overrideKernel('Sum', (stock) => (args) => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims = false } = args.attrs as { axis?: number | number[] | null; keepDims?: boolean };
  const axes = axis == null ? [] : Array.isArray(axis) ? axis : [axis]; // none = every axis: stock
  const out = fusedOn('sum_rows') ? sumRowsWebgpu(args.backend as tf.KernelBackend, x, axes, keepDims) : null;
  if (out) {
    sumRowsCalls.ours++;
    return out;
  }
  sumRowsCalls.stock++;
  return stock(args);
});
