import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused masked softmax cross-entropy on WebGPU, equal to `maskedCrossEntropy` in ../../loss.ts:
 *   w[n]    = mask[n] / max(Σ mask, 1)                          (a constant for the gradient)
 *   lse[n]  = logsumexp_v z[n, v]                               (saved for the backward pass)
 *   loss    = Σ_n w[n] · (lse[n] − z[n, t[n]])
 *   dz[n,v] = (exp(z[n, v] − lse[n]) − [v = t[n]]) · w[n] · dy
 * Layout: logits z [N, V] row-major f32, targets t [N] i32, mask [N] f32.
 * Forward: one workgroup of 256 threads per row; each thread runs an online max / Σexp over its
 * strided columns (vec4 when V % 4 == 0), the (max, Σ) pairs merge in a workgroup tree; thread 0
 * writes lse[n] and the weighted row loss; the scalar is a tf.sum over those N values.
 * Backward: one pass over [N, V], one thread per element (per vec4), softmax and one-hot built in
 * registers and never stored; rows with weight 0 write zeros without reading the logits.
 */

const WG = 256;

function forwardCode(vec: boolean): string {
  const T = vec ? 'vec4<f32>' : 'f32';
  const step = vec
    ? `let vm = max(max(v.x, v.y), max(v.z, v.w));
      let mn = max(m, vm);
      let e = exp(v - vec4<f32>(mn));
      s = s * exp(m - mn) + (e.x + e.y) + (e.z + e.w);
      m = mn;`
    : `let mn = max(m, v);
      s = s * exp(m - mn) + exp(v - mn);
      m = mn;`;
  const pick = vec ? 'z[flat / 4u][flat % 4u]' : 'z[flat]';
  return /* wgsl */ `
struct U { rows: u32, vocab: u32, lanes: u32 };
@group(0) @binding(0) var<storage, read> z: array<${T}>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowLoss: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
var<workgroup> redMax: array<f32, ${WG}>;
var<workgroup> redSum: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let n = wid.y * nwg.x + wid.x;
  if (n >= u.rows) { return; }
  let base = n * u.lanes;
  // running max m and Σ exp(z − m) over this thread's columns; -3e38 stands for "none yet"
  var m = -3.0e38;
  var s = 0.0;
  for (var j = li; j < u.lanes; j += ${WG}u) {
    let v = z[base + j];
    ${step}
  }
  redMax[li] = m;
  redSum[li] = s;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h = h / 2u) {
    if (li < h) {
      let a = redMax[li];
      let b = redMax[li + h];
      let mn = max(a, b);
      redSum[li] = redSum[li] * exp(a - mn) + redSum[li + h] * exp(b - mn);
      redMax[li] = mn;
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let l = redMax[0] + log(redSum[0]);
    let t = u32(clamp(targets[n], 0, i32(u.vocab) - 1));
    let flat = n * u.vocab + t;
    lse[n] = l;
    rowLoss[n] = (l - ${pick}) * w[n];
  }
}`;
}

function backwardCode(vec: boolean): string {
  const T = vec ? 'vec4<f32>' : 'f32';
  const hot = vec
    ? 'select(vec4<f32>(0.0), vec4<f32>(1.0), vec4<i32>(i32(col)) + vec4<i32>(0, 1, 2, 3) == vec4<i32>(t))'
    : 'select(0.0, 1.0, i32(col) == t)';
  return /* wgsl */ `
struct U { total: u32, lanes: u32 };
@group(0) @binding(0) var<storage, read> z: array<${T}>;
@group(0) @binding(1) var<storage, read> lse: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> coef: array<f32>;
@group(0) @binding(4) var<storage, read_write> dz: array<${T}>;
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (i >= u.total) { return; }
  let n = i / u.lanes;
  let c = coef[n];
  if (c == 0.0) {
    dz[i] = ${T}(0.0);
    return;
  }
  let col = (i - n * u.lanes)${vec ? ' * 4u' : ''};
  let t = targets[n];
  let p = exp(z[i] - ${T}(lse[n]));
  dz[i] = (p - ${hot}) * c;
}`;
}

const key = (name: string, vec: boolean) => `versiflow-xent-${name}-${vec ? 'vec4' : 'f32'}`;

/** z [N, V], t [N] i32, w [N] → lse [N], w-weighted row losses [N]. */
function forward(z: tf.Tensor2D, targets: tf.Tensor1D, w: tf.Tensor1D): [tf.Tensor1D, tf.Tensor1D] {
  const b = tf.backend();
  const [rows, vocab] = z.shape;
  const vec = vocab % 4 === 0;
  const lse = allocOutput(b, [rows]);
  const loss = allocOutput(b, [rows]);
  runKernel(b, {
    key: key('fwd', vec),
    code: () => forwardCode(vec),
    bindings: [
      { tensor: z, access: 'read' },
      { tensor: targets, access: 'read' },
      { tensor: w, access: 'read' },
      { tensor: lse, access: 'read_write' },
      { tensor: loss, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: rows }, { u: vocab }, { u: vec ? vocab / 4 : vocab }]),
    workgroups: grid(rows),
  });
  const e = tf.engine();
  return [e.makeTensorFromTensorInfo(lse) as tf.Tensor1D, e.makeTensorFromTensorInfo(loss) as tf.Tensor1D];
}

/** z [N, V], lse [N], t [N] i32, coef = w·dy [N] → dz [N, V]. */
function backward(z: tf.Tensor2D, lse: tf.Tensor1D, targets: tf.Tensor1D, coef: tf.Tensor1D): tf.Tensor2D {
  const b = tf.backend();
  const [rows, vocab] = z.shape;
  const vec = vocab % 4 === 0;
  const lanes = vec ? vocab / 4 : vocab;
  const total = rows * lanes;
  const dz = allocOutput(b, [rows, vocab]);
  runKernel(b, {
    key: key('bwd', vec),
    code: () => backwardCode(vec),
    bindings: [
      { tensor: z, access: 'read' },
      { tensor: lse, access: 'read' },
      { tensor: targets, access: 'read' },
      { tensor: coef, access: 'read' },
      { tensor: dz, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: total }, { u: lanes }]),
    workgroups: grid(Math.ceil(total / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(dz) as tf.Tensor2D;
}

/**
 * Mean cross-entropy over the rows where mask = 1, on the webgpu backend, with its gradient for the
 * logits: logits [N, V] f32, targets [N] int32, mask [N] f32 → scalar. Targets and mask get no gradient.
 */
export function crossEntropyFused(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const [rows, vocab] = logits.shape;
  if (logits.rank !== 2 || targets.shape[0] !== rows || mask.shape[0] !== rows) {
    throw new Error(`crossEntropyFused: want logits [N, V], targets [N], mask [N]; got [${logits.shape}], [${targets.shape}], [${mask.shape}]`);
  }
  if (rows * vocab >= 2 ** 32) throw new Error(`crossEntropyFused: ${rows}×${vocab} logits exceed 32-bit indexing`);
  const t = (targets.dtype === 'int32' ? targets : targets.cast('int32')) as tf.Tensor1D;
  const w = mask.div(mask.sum().maximum(1)) as tf.Tensor1D; // a constant for the gradient
  const op = (z: tf.Tensor, save: tf.GradSaveFunc) => {
    const [lse, rowLoss] = forward(z as tf.Tensor2D, t, w);
    save([z, t, w, lse]); // the tape keeps saved tensors alive until backward; closures would see them disposed
    return {
      value: rowLoss.sum() as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, ts, ws, ls] = saved;
        return backward(zs as tf.Tensor2D, ls as tf.Tensor1D, ts as tf.Tensor1D, ws.mul(dy) as tf.Tensor1D);
      },
    };
  };
  return tf.tidy('versiflow:cross_entropy', () => tf.customGrad(op as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Scalar);
}
