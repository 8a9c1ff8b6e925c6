import * as tf from '@tensorflow/tfjs';
import { allocOutput, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Σ over many tensors of Σ x² (the global gradient norm's square) on WebGPU in ⌈n/6⌉ + 1 dispatches
 * instead of square + sum per tensor and a tree of adds (3 per parameter: ≈320 dispatches a step
 * on the 75M model). Each dispatch takes up to 6 tensors (WebGPU guarantees 8 storage buffers per
 * stage: 6 inputs, the partial sums, one spare); workgroup (x, y) sums a strided share of tensor y
 * into partials[(first + y)·G + x] with a tree reduction in workgroup memory. A final tf.sum adds
 * the P·G partials. Float32 throughout, each partial over ≈n/G/256 terms per thread.
 */

const WG = 256;
/** Workgroups per tensor (partial sums per tensor). */
const G = 64;
const PER_DISPATCH = 6;

function code(k: number): string {
  const decls = Array.from({ length: k }, (_, j) => `@group(0) @binding(${j}) var<storage, read> x${j}: array<f32>;`).join('\n');
  const pick = Array.from({ length: k }, (_, j) => `case ${j}u: { v = x${j}[i]; }`).join(' ');
  return /* wgsl */ `
struct U { first: u32, sizes0: vec4<u32>, sizes1: vec4<u32> };
${decls}
@group(0) @binding(${k}) var<storage, read_write> partials: array<f32>;
@group(0) @binding(${k + 1}) var<uniform> u: U;
var<workgroup> red: array<f32, ${WG}>;
fn sizeOf(t: u32) -> u32 { if (t < 4u) { return u.sizes0[t]; } return u.sizes1[t - 4u]; }
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = wid.y;
  let n = sizeOf(t);
  var acc = 0.0;
  for (var i = wid.x * ${WG}u + li; i < n; i += ${G * WG}u) {
    var v = 0.0;
    switch t { ${pick} default: {} }
    acc += v * v;
  }
  red[li] = acc;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h /= 2u) {
    if (li < h) { red[li] += red[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) { partials[(u.first + t) * ${G}u + wid.x] = red[0]; }
}`;
}

/** Σ_t Σ x_t² as a scalar tensor on the device (no read). */
export function sumOfSquaresWebgpu(xs: readonly tf.Tensor[]): tf.Scalar {
  const b = tf.backend();
  const partials = allocOutput(b, [xs.length * G]);
  for (let first = 0; first < xs.length; first += PER_DISPATCH) {
    const chunk = xs.slice(first, first + PER_DISPATCH);
    const sizes = [...chunk.map((x) => x.size), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
    runKernel(b, {
      key: `versiflow-sumsq-${chunk.length}`,
      code: () => code(chunk.length),
      bindings: [...chunk.map((x) => ({ tensor: x, access: 'read' as const })), { tensor: partials, access: 'read_write' }],
      // struct layout: first at 0, sizes0 at 16 (vec4 alignment), sizes1 at 32
      uniforms: uniformBytes([{ u: first }, { u: 0 }, { u: 0 }, { u: 0 }, ...sizes.map((s) => ({ u: s }))]),
      workgroups: [G, chunk.length],
    });
  }
  const p = tf.engine().makeTensorFromTensorInfo(partials);
  const total = p.sum() as tf.Scalar;
  p.dispose();
  return total;
}
