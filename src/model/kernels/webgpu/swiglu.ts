import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused SwiGLU activation on WebGPU over the fused gate|up projection, equal to
 * `silu(gate) · up` with [gate, up] = split(gu, 2, −1) in ../../gpt.ts (mlp):
 *   h = g·σ(g)·u                              gu [N, 2F] → h [N, F]
 *   ∂h/∂g = u·σ(g)·(1 + g·(1 − σ(g))),  ∂h/∂u = g·σ(g)   → d(gu) [N, 2F] in one pass
 * The stock op is two slices, sigmoid and two muls forward, about ten kernels and a concat backward.
 * One thread per output element.
 */

const WG = 256;

const forwardCode = /* wgsl */ `
struct U { n: u32, F: u32 };
@group(0) @binding(0) var<storage, read> gu: array<f32>;
@group(0) @binding(1) var<storage, read_write> h: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let k = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (k >= u.n) { return; }
  let r = k / u.F;
  let j = k % u.F;
  let g = gu[r * 2u * u.F + j];
  let up = gu[r * 2u * u.F + u.F + j];
  h[k] = g / (1.0 + exp(-g)) * up;
}`;

const backwardCode = /* wgsl */ `
struct U { n: u32, F: u32 };
@group(0) @binding(0) var<storage, read> gu: array<f32>;
@group(0) @binding(1) var<storage, read> dh: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgu: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let k = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (k >= u.n) { return; }
  let r = k / u.F;
  let j = k % u.F;
  let ig = r * 2u * u.F + j;
  let g = gu[ig];
  let up = gu[ig + u.F];
  let s = 1.0 / (1.0 + exp(-g));
  let d = dh[k];
  dgu[ig] = d * up * s * (1.0 + g * (1.0 - s));
  dgu[ig + u.F] = d * g * s;
}`;

function forward(gu: tf.Tensor2D): tf.Tensor2D {
  const b = tf.backend();
  const [N, F2] = gu.shape;
  const F = F2 / 2;
  const h = allocOutput(b, [N, F]);
  runKernel(b, {
    key: 'versiflow-swiglu-fwd',
    code: () => forwardCode,
    bindings: [
      { tensor: gu, access: 'read' },
      { tensor: h, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: N * F }, { u: F }]),
    workgroups: grid(Math.ceil((N * F) / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(h) as tf.Tensor2D;
}

function backward(gu: tf.Tensor2D, dh: tf.Tensor2D): tf.Tensor2D {
  const b = tf.backend();
  const [N, F2] = gu.shape;
  const F = F2 / 2;
  const dgu = allocOutput(b, [N, F2]);
  runKernel(b, {
    key: 'versiflow-swiglu-bwd',
    code: () => backwardCode,
    bindings: [
      { tensor: gu, access: 'read' },
      { tensor: dh, access: 'read' },
      { tensor: dgu, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: N * F }, { u: F }]),
    workgroups: grid(Math.ceil((N * F) / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(dgu) as tf.Tensor2D;
}

/** silu(gate)·up of gu = [gate | up] [N, 2F] → [N, F], with its gradient w.r.t. gu. */
export function swigluFused(gu: tf.Tensor2D): tf.Tensor2D {
  if (gu.shape[1] % 2 !== 0) throw new Error(`swiglu: gate|up width ${gu.shape[1]} is odd`);
  const f = (x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([x]);
    return { value: forward(x), gradFunc: (dy: tf.Tensor2D, [xs]: tf.Tensor[]) => backward(xs as tf.Tensor2D, dy) };
  };
  return tf.tidy('versiflow:swiglu', () => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(gu) as tf.Tensor2D);
}
