import * as tf from '@tensorflow/tfjs';
import type { RopeStyle } from '../../../core/config/schema.ts';
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

/**
 * One thread per pair. `layout`: 'heads' = x and y both [..., T, d]; 'split' = x is a projection
 * [B·T, n·d] and y the heads [B, n, T, d] (the transpose that splits heads is folded in); 'merge' =
 * the reverse (x heads, y [B·T, n·d]), which is the backward of 'split'; 'tokens' = x and y both
 * [B, T, n, d] (a projection seen as heads, for flash attention's token-major layout).
 */
type Layout = 'heads' | 'split' | 'merge' | 'tokens';

function code(half: boolean, layout: Layout): string {
  const idx = half ? 'let ia = i; let ib = i + hd;' : 'let ia = 2u * i; let ib = ia + 1u;';
  // row of heads-layout [B, n, T] ↔ row of projection-layout [B·T, n]; 'tokens' rows are [B, T, n]
  const position =
    layout === 'tokens' ? 'let t = (row / u.n) % u.T;' : 'let bn = row / u.T; let t = row % u.T; let bb = bn / u.n; let h = bn % u.n;';
  const projBase = '((bb * u.T + t) * u.n + h) * 2u * hd';
  const same = 'row * 2u * hd';
  const [xBase, yBase] = layout === 'split' ? [projBase, same] : layout === 'merge' ? [same, projBase] : [same, same];
  return /* wgsl */ `
struct U { pairs: u32, T: u32, hd: u32, sign: f32, n: u32 };
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
  let row = p / hd;          // which [d]-row of the heads layout (all leading axes and t)
  let i = p % hd;            // which pair in the row
  ${position}
  let xb = ${xBase};
  let yb = ${yBase};
  ${idx}
  let c = cosT[t * hd + i];
  let s = sinT[t * hd + i] * u.sign;
  let a = x[xb + ia];
  let b = x[xb + ib];
  y[yb + ia] = a * c - b * s;
  y[yb + ib] = b * c + a * s;
}`;
}

/** Rotation by `sign`·angle from `layout`; `heads` gives [B, n, T, d] (projections are [B·T, n·d]). */
function rotate(x: tf.Tensor, heads: [number, number, number, number], cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle, sign: 1 | -1, layout: Layout): tf.Tensor {
  const b = tf.backend();
  const [B, n, T, d] = heads;
  if (d % 2 !== 0) throw new Error(`rope: head dim ${d} is odd`);
  if (cos.shape[0] !== T || cos.shape[1] !== d / 2) throw new Error(`rope: tables [${cos.shape}] do not fit heads [${heads}]`);
  const pairs = x.size / 2;
  const y = allocOutput(b, layout === 'merge' ? [B * T, n * d] : layout === 'tokens' ? [B, T, n, d] : [B, n, T, d]);
  runKernel(b, {
    key: `versiflow-rope-${style}-${layout}`,
    code: () => code(style === 'half', layout),
    bindings: [
      { tensor: x, access: 'read' },
      { tensor: cos, access: 'read' },
      { tensor: sin, access: 'read' },
      { tensor: y, access: 'read_write' },
    ],
    uniforms: uniformBytes([{ u: pairs }, { u: T }, { u: d / 2 }, sign, { u: n }]),
    workgroups: grid(Math.ceil(pairs / WG)),
  });
  return tf.engine().makeTensorFromTensorInfo(y);
}

/** x [..., T, d] rotated by position with tables cos/sin [T, d/2]; gradient w.r.t. x only (the tables are constants). */
export function ropeFused(x: tf.Tensor, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle = 'half'): tf.Tensor {
  const [T, d] = x.shape.slice(-2);
  const heads: [number, number, number, number] = [1, x.size / (T * d), T, d];
  const f = (xi: tf.Tensor) => ({
    value: rotate(xi, heads, cos, sin, style, 1, 'heads').reshape(xi.shape),
    gradFunc: (dy: tf.Tensor) => rotate(dy, heads, cos, sin, style, -1, 'heads').reshape(dy.shape),
  });
  return tf.tidy('versiflow:rope', () => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x));
}

/**
 * A projection p [B·T, n·d] split into heads [B, n, T, d] and rotated, in one kernel (the stock path
 * is reshape, transpose, then RoPE); its gradient merges and rotates back in one kernel too.
 */
export function splitHeadsRopeFused(p: tf.Tensor2D, B: number, n: number, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle = 'half'): tf.Tensor4D {
  const T = p.shape[0] / B;
  const heads: [number, number, number, number] = [B, n, T, p.shape[1] / n];
  const f = (xi: tf.Tensor) => ({
    value: rotate(xi, heads, cos, sin, style, 1, 'split'),
    gradFunc: (dy: tf.Tensor) => rotate(dy, heads, cos, sin, style, -1, 'merge'),
  });
  return tf.tidy('versiflow:rope', () => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(p) as tf.Tensor4D);
}

/**
 * A projection p [B·T, n·d] rotated in place of its layout and viewed as [B, T, n, d]: the token-major
 * heads flash attention reads without a transpose. The gradient is the inverse rotation, same layout.
 */
export function ropeTokensFused(p: tf.Tensor2D, B: number, n: number, cos: tf.Tensor2D, sin: tf.Tensor2D, style: RopeStyle = 'half'): tf.Tensor4D {
  const T = p.shape[0] / B;
  const heads: [number, number, number, number] = [B, n, T, p.shape[1] / n];
  const f = (xi: tf.Tensor) => ({
    value: rotate(xi, heads, cos, sin, style, 1, 'tokens'),
    gradFunc: (dy: tf.Tensor) => rotate(dy, heads, cos, sin, style, -1, 'tokens').reshape(xi.shape),
  });
  return tf.tidy('versiflow:rope', () => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(p) as tf.Tensor4D);
}
