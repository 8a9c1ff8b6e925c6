import * as tf from '@tensorflow/tfjs';
import { grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused AdamW update on WebGPU: one pass over a parameter reads p, g, m, v once and writes p, m, v
 * in place (the stock path runs ≈15 elementwise kernels per parameter, each a full read and write).
 *   g' = g·scale (global-norm clip, a 1-element tensor on the device)
 *   m ← β1·m + (1−β1)·g',  v ← β2·v + (1−β2)·g'²
 *   p ← p·decay − lr · (m/bc1) / (√(v/bc2) + ε),  decay = 1 − lr·wd for decayed parameters, else 1
 * Same arithmetic order as the stock AdamW in ../../adamw.ts.
 * Gated (a step guard): `scale` holds a second element, the apply flag; 0 leaves p, m and v untouched.
 */
export interface AdamWHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** 1 − lr·weightDecay, or 1 without decay. */
  readonly decay: number;
  /** Bias corrections 1 − β^t. */
  readonly bc1: number;
  readonly bc2: number;
}

const WG = 256;

function code(vec: boolean, gated: boolean): string {
  const T = vec ? 'vec4<f32>' : 'f32';
  return /* wgsl */ `
struct U { lr: f32, b1: f32, b2: f32, eps: f32, decay: f32, bc1: f32, bc2: f32, n: u32 };
@group(0) @binding(0) var<storage, read_write> p: array<${T}>;
@group(0) @binding(1) var<storage, read_write> m: array<${T}>;
@group(0) @binding(2) var<storage, read_write> v: array<${T}>;
@group(0) @binding(3) var<storage, read> g: array<${T}>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (i >= u.n) { return; }${gated ? '\n  if (scale[1] == 0.0) { return; }' : ''}
  let gi = g[i] * scale[0];
  let mi = u.b1 * m[i] + (1.0 - u.b1) * gi;
  let vi = u.b2 * v[i] + (1.0 - u.b2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  let upd = (mi / u.bc1) / (sqrt(vi / u.bc2) + u.eps);
  p[i] = p[i] * u.decay - upd * u.lr;
}`;
}

/**
 * Applies the update to variables p, m, v in place. `scale` is a scalar tensor (the clip factor), or
 * with `gated` a 2-element tensor [clip factor, apply flag 1|0]: flag 0 writes nothing.
 * A variable whose buffer is shared with another tensor (tfjs shares data on assign/clone) is first
 * given a buffer of its own, so the in-place write changes nothing but the variable.
 */
export function adamwUpdateWebgpu(p: tf.Variable, g: tf.Tensor, m: tf.Variable, v: tf.Variable, scale: tf.Tensor, h: AdamWHyper, gated = false): void {
  const b = tf.backend();
  for (const x of [p, m, v]) ownBuffer(b, x);
  const n = p.size;
  const vec = n % 4 === 0;
  const lanes = vec ? n / 4 : n;
  runKernel(b, {
    key: `versiflow-adamw-${vec ? 'vec4' : 'f32'}${gated ? '-gated' : ''}`,
    code: () => code(vec, gated),
    bindings: [
      { tensor: p, access: 'read_write' },
      { tensor: m, access: 'read_write' },
      { tensor: v, access: 'read_write' },
      { tensor: g, access: 'read' },
      { tensor: scale, access: 'read' },
    ],
    uniforms: uniformBytes([h.lr, h.beta1, h.beta2, h.eps, h.decay, h.bc1, h.bc2, { u: lanes }]),
    workgroups: grid(Math.ceil(lanes / WG)),
  });
}

function ownBuffer(b: tf.KernelBackend, x: tf.Variable): void {
  if (b.refCount(x.dataId) <= 1) return;
  const copy = tf.tidy(() => x.add(tf.scalar(0)));
  x.assign(copy);
  copy.dispose();
}
