import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Dropout on WebGPU with the mask made on the GPU from (seed, element index) by a hash, so nothing
 * is generated in JavaScript: tf.dropout draws a uniform tensor of the input's full shape with a
 * JavaScript generator and uploads it (on the 75M config at batch 32, 25 calls of 10.5M floats a step).
 *   keep(i) = hash(seed, i) / 2³² ≥ rate,   y = keep ? x / (1 − rate) : 0
 * The gradient is the same mask applied to dy (recomputed from the seed: no mask tensor is kept).
 * The hash is PCG's output permutation over (i + seed·φ) (a well-mixed 32-bit hash); masks are
 * reproducible for a seed but differ from the CPU backends', which use tf.dropout.
 */

const WG = 256;

const code = /* wgsl */ `
struct U { n: u32, seed: u32, threshold: u32, scale: f32 };
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (i >= u.n) { return; }
  let h = pcg(pcg(i ^ u.seed) + u.seed);
  y[i] = select(0.0, x[i] * u.scale, h >= u.threshold);
}`;

/** Seed → a 32-bit key (Weyl step by the golden ratio, then mixed once more in the kernel). */
function key(seed: number): number {
  return Math.imul((seed >>> 0) + 1, 0x9e3779b9) >>> 0;
}

function applyMask(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const b = tf.backend();
  const y = allocOutput(b, x.shape);
  runKernel(b, {
    key: 'versiflow-dropout',
    code: () => code,
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: y, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: x.size }, { u: key(seed) }, { u: Math.min(0xffffffff, Math.round(rate * 2 ** 32)) }, 1 / (1 - rate)]),
    workgroups: grid(Math.ceil(x.size / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(y);
}

/** Inverted dropout of x with probability `rate` (0 ≤ rate < 1), mask from `seed`; differentiable. */
export function dropoutFused<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const f = (xi: tf.Tensor) => ({ value: applyMask(xi, rate, seed), gradFunc: (dy: tf.Tensor) => applyMask(dy, rate, seed) });
  return tf.tidy('versiflow:dropout', () => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x) as T);
}
