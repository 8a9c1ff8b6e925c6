import * as tf from '@tensorflow/tfjs';
import type { RopeStyle } from '../../rope.ts';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused rotary position embedding on WebGPU, equal to `applyRope` in ../../rope.ts: pair i of row t
 * turns by the angle whose cos/sin are cos[t, i], sin[t, i]:
 *   (a, b) → (a·cos − b·sin, b·cos + a·sin)
 * with a = x[i], b = x[i + d/2] (half) or a = x[2i], b = x[2i + 1] (interleaved).
 * The gradient is the inverse rotation (sin → −sin), so one kernel serves both passes; the stock op
 * is split + 4 muls + add/sub + concat forward and about twice that backward.
 * Layout: x [..., T, d] row-major (leading axes flattened), cos and sin [T, d/2]. One thread per pair.
 */

const WG = 256;

function code(half: boolean): string {
  const idx = half ? 'let ia = base + i; let ib = ia + hd;' : 'let ia = base + 2u * i; let ib = ia + 1u;';
  return /* wgsl */ `
struct U { pairs: u32, T: u32, hd: u32, sign: f32 };
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> cosT: array<f32>;
@group(0) @binding(2) var<storage, read> sinT: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let p = (wid.y * nwg.x + wid.x) * ${WG}u + li;
  if (p >= u.pairs) { return; }
  let hd = u.hd;
  let row = p / hd;          // which [d]-row of x (all leading axes and t)
  let i = p % hd;            // which pair in the row
  let t = row % u.T;
  let base = row * 2u * hd;
  ${idx}
  let c = cosT[t * hd + i];
  let s = sinT[t * hd + i] * u.sign;
  let a = x[ia];
  let b = x[ib];
  y[ia] = a * c - b * s;
  y[ib] = b * c + a * s;
}`;
}

function rotate(x: tf.Tensor, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle, sign: 1 | -1): tf.Tensor {
  const b = tf.backend();
  const d = x.shape[x.rank - 1];
  const T = x.shape[x.rank - 2];
  if (d % 2 !== 0) throw new Error(`rope: head dim ${d} is odd`);
  if (cos.shape[0] !== T || cos.shape[1] !== d / 2) throw new Error(`rope: tables [${cos.shape}] do not fit x [${x.shape}]`);
  const pairs = x.size / 2;
  const y = allocOutput(b, x.shape);
  runKernel(b, {
    key: `versiflow-rope-${style}`,
    code: () => code(style === 'half'),
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: cos, access: 'read' },
      { tensor: sin, access: 'read' },
      { tensor: y, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: pairs }, { u: T }, { u: d / 2 }, sign]),
    workgroups: grid(Math.ceil(pairs / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(y);
}

/** x [..., T, d] rotated by position with tables cos/sin [T, d/2]; gradient w.r.t. x only (the tables are constants). */
export function ropeFused(x: tf.Tensor, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle = 'half'): tf.Tensor {
  const f = (xi: tf.Tensor) => ({
    value: rotate(xi, cos, sin, style, 1),
    gradFunc: (dy: tf.Tensor) => rotate(dy, cos, sin, style, -1),
  });
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x);
}
