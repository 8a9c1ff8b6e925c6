import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes } from './dispatch.ts';

/**
 * Fused causal attention (FlashAttention-2 style) on WebGPU, with grouped-query attention.
 *   q [B, H, T, d], k, v [B, KV, T, d] (row-major), g = H / KV; query head h reads kv head ⌊h / g⌋.
 *   Layout 'tokens' takes q [B, T, H, d], k, v [B, T, KV, d] and gives o [B, T, H, d]: the
 *   projections' own layout, so splitting and merging heads costs no transpose (4 per layer).
 *   s_ij = q_i·k_j / √d for j ≤ i,  p_ij = exp(s_ij − lse_i),  lse_i = log Σ_j exp(s_ij),  o_i = Σ_j p_ij v_j
 * Backward, with D_i = dO_i·o_i and ds_ij = p_ij (dO_i·v_j − D_i):
 *   dq_i = Σ_j ds_ij k_j / √d,  dk_j = Σ_{h∈group} Σ_{i≥j} ds_ij q_i / √d,  dv_j = Σ_{h∈group} Σ_{i≥j} p_ij dO_i
 * No [T, T] tensor exists: scores live one key (or query) tile at a time in registers.
 * Kernels (64 threads per workgroup, one row per thread, rows of width d held as vec4 registers,
 * zero-padded to ⌈d/4⌉·4 lanes when d % 4 ≠ 0; the head dim is baked into the WGSL):
 *   forward  — thread = query row; loops key tiles (staged in workgroup memory) up to the block's
 *              diagonal with an online softmax (running max m, sum l, rescaled when m grows);
 *              writes o and lse = m + log l [B, H, T].
 *   dq       — thread = query row; computes D_i (written for the next kernel), loops key tiles ≤ diagonal.
 *   dk/dv    — thread = key row of one kv head; loops the g query heads of its group and the query tiles
 *              from its block's first row, so the group sum happens in registers (no atomics).
 */

const WG = 64;
/** Largest head dim the register arrays are sized for. */
export const FLASH_MAX_HEAD_DIM = 128;
/** Workgroup storage budget per kernel (WebGPU's guaranteed minimum). */
const SHARED_BYTES = 16384;

/** heads = [B, n, T, d]; tokens = [B, T, n, d] (a projection [B·T, n·d] viewed as heads). */
export type FlashLayout = 'heads' | 'tokens';

interface Dims {
  readonly layout: FlashLayout;
  readonly B: number;
  readonly H: number;
  readonly KV: number;
  readonly T: number;
  readonly d: number;
}

/** vec4 columns of a row (the last one zero-padded when d % 4 ≠ 0). */
const cols = (d: number) => Math.ceil(d / 4);
/** Key rows per tile in forward/dq: K and V tiles of vec4 rows share the 16 KiB. */
export const keyTile = (d: number) => Math.min(WG, Math.floor(SHARED_BYTES / (2 * 16 * cols(d))));
/** Query rows per tile in dk/dv: Q and dO tiles plus lse and D per row. */
export const queryTile = (d: number) => Math.min(WG, Math.floor(SHARED_BYTES / (2 * 16 * cols(d) + 8)));

/** The statements of `f(c)` for every vec4 column c, written out (constant register indices). */
const each = (c4: number, f: (c: number) => string) => Array.from({ length: c4 }, (_, c) => f(c)).join(' ');

/** Storage declaration of a [rows, d] buffer: vec4 elements when d % 4 == 0. */
function decl(binding: number, name: string, d: number, write: boolean): string {
  const el = d % 4 === 0 ? 'vec4<f32>' : 'f32';
  return `@group(0) @binding(${binding}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${el}>;`;
}

/** WGSL `ld_<name>(row, c)`: vec4 column c of a row (zeros past d). */
function loader(name: string, d: number): string {
  if (d % 4 === 0) return `fn ld_${name}(row: u32, c: u32) -> vec4<f32> { return ${name}[row * ${cols(d)}u + c]; }`;
  const lanes = ['x', 'y', 'z', 'w'].map((l, e) => `  if (col + ${e}u < ${d}u) { r.${l} = ${name}[base + col + ${e}u]; }`).join('\n');
  return `fn ld_${name}(row: u32, c: u32) -> vec4<f32> {
  let base = row * ${d}u; let col = c * 4u;
  var r = vec4<f32>(0.0);
${lanes}
  return r;
}`;
}

/** WGSL `st_<name>(row, c, x)`: writes vec4 column c of a row (lanes past d dropped). */
function storer(name: string, d: number): string {
  if (d % 4 === 0) return `fn st_${name}(row: u32, c: u32, x: vec4<f32>) { ${name}[row * ${cols(d)}u + c] = x; }`;
  const lanes = ['x', 'y', 'z', 'w'].map((l, e) => `  if (col + ${e}u < ${d}u) { ${name}[base + col + ${e}u] = x.${l}; }`).join('\n');
  return `fn st_${name}(row: u32, c: u32, x: vec4<f32>) {
  let base = row * ${d}u; let col = c * 4u;
${lanes}
}`;
}

const UNIFORMS = 'struct U { T: u32, H: u32, KV: u32, G: u32, blocks: u32, total: u32, scale: f32 };';
/**
 * WGSL row indices: qRow(b, h, t) of q/o/dO/dq, kvRow(b, kh, t) of k/v/dk/dv, in the layout's order;
 * lse and D are always [B, H, T] (row (b·H + h)·T + t), so a query tile's statistics stay contiguous.
 */
function rowFns(layout: FlashLayout): string {
  const [q, kv] = layout === 'heads' ? ['(b * u.H + h) * u.T + t', '(b * u.KV + kh) * u.T + t'] : ['(b * u.T + t) * u.H + h', '(b * u.T + t) * u.KV + kh'];
  return `fn qRow(b: u32, h: u32, t: u32) -> u32 { return ${q}; }
fn kvRow(b: u32, kh: u32, t: u32) -> u32 { return ${kv}; }`;
}
const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let wg = wid.y * nwg.x + wid.x;
  if (wg >= u.total) { return; }`;

/**
 * Stages key tile [j0, j0 + BC) of K and V (kv head kvh of batch b) into Ks/Vs, zeros past T.
 * Opens and closes with a barrier, so the previous tile's readers are done.
 */
const stageKv = (bc: number, c4: number) => `
    workgroupBarrier();
    for (var x = li; x < ${bc * c4}u; x += ${WG}u) {
      let kr = j0 + x / ${c4}u;
      var kx = vec4<f32>(0.0);
      var vx = vec4<f32>(0.0);
      if (kr < u.T) { kx = ld_K(kvRow(b, kvh, kr), x % ${c4}u); vx = ld_V(kvRow(b, kvh, kr), x % ${c4}u); }
      Ks[x] = kx;
      Vs[x] = vx;
    }
    workgroupBarrier();`;

/** Header shared by forward and dq: query row t of head h per thread (row: its q/o index, srow: lse/D). */
const queryRowSetup = `
  let rb = wg % u.blocks;
  let bh = wg / u.blocks;
  let b = bh / u.H;
  let kvh = (bh % u.H) / u.G;
  let t = rb * ${WG}u + li;
  let valid = t < u.T;
  let row = qRow(b, bh % u.H, t);
  let srow = bh * u.T + t;
  let kEnd = min(u.T, rb * ${WG}u + ${WG}u);`;

function forwardCode(d: number, layout: FlashLayout): string {
  const c4 = cols(d);
  const bc = keyTile(d);
  return /* wgsl */ `
${UNIFORMS}
${rowFns(layout)}
${decl(0, 'Q', d, false)}
${decl(1, 'K', d, false)}
${decl(2, 'V', d, false)}
${decl(3, 'O', d, true)}
@group(0) @binding(4) var<storage, read_write> L: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
var<workgroup> Ks: array<vec4<f32>, ${bc * c4}>;
var<workgroup> Vs: array<vec4<f32>, ${bc * c4}>;
${loader('Q', d)}
${loader('K', d)}
${loader('V', d)}
${storer('O', d)}
${ENTRY}
${queryRowSetup}
  var q: array<vec4<f32>, ${c4}>;
  var acc: array<vec4<f32>, ${c4}>;
  if (valid) { ${each(c4, (c) => `q[${c}] = ld_Q(row, ${c}u) * u.scale;`)} }
  var m = -3.0e38;
  var l = 0.0;
  for (var j0 = 0u; j0 < kEnd; j0 += ${bc}u) {
${stageKv(bc, c4)}
    if (valid && j0 <= t) {
      let n = min(${bc}u, t + 1u - j0);
      for (var j = 0u; j < n; j++) {
        var sj = 0.0;
        ${each(c4, (c) => `sj += dot(q[${c}], Ks[j * ${c4}u + ${c}u]);`)}
        if (sj > m) { // new running max (rare after the first keys): rescale what was summed so far
          let alpha = exp(m - sj);
          l *= alpha;
          ${each(c4, (c) => `acc[${c}] *= alpha;`)}
          m = sj;
        }
        let p = exp(sj - m);
        l += p;
        ${each(c4, (c) => `acc[${c}] += p * Vs[j * ${c4}u + ${c}u];`)}
      }
    }
  }
  if (valid) {
    let inv = 1.0 / l;
    ${each(c4, (c) => `st_O(row, ${c}u, acc[${c}] * inv);`)}
    L[srow] = m + log(l);
  }
}`;
}

function dqCode(d: number, layout: FlashLayout): string {
  const c4 = cols(d);
  const bc = keyTile(d);
  return /* wgsl */ `
${UNIFORMS}
${rowFns(layout)}
${decl(0, 'Q', d, false)}
${decl(1, 'K', d, false)}
${decl(2, 'V', d, false)}
${decl(3, 'O', d, false)}
${decl(4, 'dO', d, false)}
@group(0) @binding(5) var<storage, read> L: array<f32>;
${decl(6, 'dQ', d, true)}
@group(0) @binding(7) var<storage, read_write> Dd: array<f32>;
@group(0) @binding(8) var<uniform> u: U;
var<workgroup> Ks: array<vec4<f32>, ${bc * c4}>;
var<workgroup> Vs: array<vec4<f32>, ${bc * c4}>;
${loader('Q', d)}
${loader('K', d)}
${loader('V', d)}
${loader('O', d)}
${loader('dO', d)}
${storer('dQ', d)}
${ENTRY}
${queryRowSetup}
  var q: array<vec4<f32>, ${c4}>;
  var go: array<vec4<f32>, ${c4}>;
  var dq: array<vec4<f32>, ${c4}>;
  var di = 0.0;
  var lse = 0.0;
  if (valid) {
    ${each(c4, (c) => `q[${c}] = ld_Q(row, ${c}u) * u.scale; go[${c}] = ld_dO(row, ${c}u); di += dot(go[${c}], ld_O(row, ${c}u));`)}
    lse = L[srow];
    Dd[srow] = di;
  }
  for (var j0 = 0u; j0 < kEnd; j0 += ${bc}u) {
${stageKv(bc, c4)}
    if (valid && j0 <= t) {
      let n = min(${bc}u, t + 1u - j0);
      for (var j = 0u; j < n; j++) {
        var sj = 0.0;
        var dp = 0.0;
        ${each(c4, (c) => `sj += dot(q[${c}], Ks[j * ${c4}u + ${c}u]); dp += dot(go[${c}], Vs[j * ${c4}u + ${c}u]);`)}
        let ds = exp(sj - lse) * (dp - di);
        ${each(c4, (c) => `dq[${c}] += ds * Ks[j * ${c4}u + ${c}u];`)}
      }
    }
  }
  if (valid) { ${each(c4, (c) => `st_dQ(row, ${c}u, dq[${c}] * u.scale);`)} }
}`;
}

function dkvCode(d: number, layout: FlashLayout): string {
  const c4 = cols(d);
  const bq = queryTile(d);
  return /* wgsl */ `
${UNIFORMS}
${rowFns(layout)}
${decl(0, 'Q', d, false)}
${decl(1, 'K', d, false)}
${decl(2, 'V', d, false)}
${decl(3, 'dO', d, false)}
@group(0) @binding(4) var<storage, read> L: array<f32>;
@group(0) @binding(5) var<storage, read> Dd: array<f32>;
${decl(6, 'dK', d, true)}
${decl(7, 'dV', d, true)}
@group(0) @binding(8) var<uniform> u: U;
var<workgroup> Qs: array<vec4<f32>, ${bq * c4}>;
var<workgroup> Gs: array<vec4<f32>, ${bq * c4}>;
var<workgroup> Ls: array<f32, ${bq}>;
var<workgroup> Ds: array<f32, ${bq}>;
${loader('Q', d)}
${loader('K', d)}
${loader('V', d)}
${loader('dO', d)}
${storer('dK', d)}
${storer('dV', d)}
${ENTRY}
  let kb = wg % u.blocks;
  let bkv = wg / u.blocks;
  let b = bkv / u.KV;
  let kvh = bkv % u.KV;
  let i0Start = kb * ${WG}u;
  let j = i0Start + li;
  let valid = j < u.T;
  let krow = kvRow(b, kvh, j);
  var k: array<vec4<f32>, ${c4}>;
  var v: array<vec4<f32>, ${c4}>;
  var dk: array<vec4<f32>, ${c4}>;
  var dv: array<vec4<f32>, ${c4}>;
  if (valid) {
    ${each(c4, (c) => `k[${c}] = ld_K(krow, ${c}u) * u.scale; v[${c}] = ld_V(krow, ${c}u);`)}
  }
  for (var hh = 0u; hh < u.G; hh++) {
    let h = kvh * u.G + hh;
    let sBase = (b * u.H + h) * u.T;
    for (var i0 = i0Start; i0 < u.T; i0 += ${bq}u) {
      workgroupBarrier();
      for (var x = li; x < ${bq * c4}u; x += ${WG}u) {
        let qi = i0 + x / ${c4}u;
        var qx = vec4<f32>(0.0);
        var gx = vec4<f32>(0.0);
        if (qi < u.T) { qx = ld_Q(qRow(b, h, qi), x % ${c4}u); gx = ld_dO(qRow(b, h, qi), x % ${c4}u); }
        Qs[x] = qx;
        Gs[x] = gx;
      }
      for (var x = li; x < ${bq}u; x += ${WG}u) {
        var lx = 0.0;
        var dx = 0.0;
        if (i0 + x < u.T) { lx = L[sBase + i0 + x]; dx = Dd[sBase + i0 + x]; }
        Ls[x] = lx;
        Ds[x] = dx;
      }
      workgroupBarrier();
      if (valid && j < i0 + ${bq}u) {
        let first = select(0u, j - i0, j > i0);
        let n = min(${bq}u, u.T - i0);
        for (var r = first; r < n; r++) {
          var sr = 0.0;
          var dp = 0.0;
          ${each(c4, (c) => `sr += dot(Qs[r * ${c4}u + ${c}u], k[${c}]); dp += dot(Gs[r * ${c4}u + ${c}u], v[${c}]);`)}
          let p = exp(sr - Ls[r]);
          let ds = p * (dp - Ds[r]);
          ${each(c4, (c) => `dv[${c}] += p * Gs[r * ${c4}u + ${c}u]; dk[${c}] += ds * Qs[r * ${c4}u + ${c}u];`)}
        }
      }
    }
  }
  if (valid) {
    ${each(c4, (c) => `st_dK(krow, ${c}u, dk[${c}] * u.scale); st_dV(krow, ${c}u, dv[${c}]);`)}
  }
}`;
}

function dimsOf(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, layout: FlashLayout): Dims {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) throw new Error('flashAttention: q, k, v must be rank 4');
  const heads = layout === 'heads';
  const [B, H, T, d] = (heads ? q.shape : [q.shape[0], q.shape[2], q.shape[1], q.shape[3]]) as [number, number, number, number];
  const KV = k.shape[heads ? 1 : 2] as number;
  const kvShape = heads ? [B, KV, T, d] : [B, T, KV, d];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(k.shape, kvShape) || !same(v.shape, k.shape)) {
    const want = heads ? `[${B}, KV, ${T}, ${d}]` : `[${B}, ${T}, KV, ${d}]`;
    throw new Error(`flashAttention (${layout} layout): k and v must both be ${want} for q [${q.shape.join(', ')}]; got [${k.shape.join(', ')}] and [${v.shape.join(', ')}]`);
  }
  if (H % KV !== 0) throw new Error(`flashAttention: ${H} query heads do not divide into ${KV} kv heads`);
  if (d > FLASH_MAX_HEAD_DIM) throw new Error(`flashAttention: head dim ${d} > ${FLASH_MAX_HEAD_DIM}`);
  if ([q, k, v].some((x) => x.dtype !== 'float32')) throw new Error('flashAttention: float32 only');
  return { layout, B, H, KV, T, d };
}

function uniforms(s: Dims, blocks: number, total: number): ArrayBuffer {
  return uniformBytes([{ u: s.T }, { u: s.H }, { u: s.KV }, { u: s.H / s.KV }, { u: blocks }, { u: total }, 1 / Math.sqrt(s.d)]);
}

const tensorOf = <R extends tf.Rank>(info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
const r = (tensor: tf.TensorInfo) => ({ tensor, access: 'read' as const });
const w = (tensor: tf.TensorInfo) => ({ tensor, access: 'read_write' as const });

/** Forward kernel: o (q's shape) and lse [B, H, T] (log-sum-exp of the scaled causal scores per row). */
export function flashAttentionForward(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, layout: FlashLayout = 'heads'): { o: tf.Tensor4D; lse: tf.Tensor3D } {
  const s = dimsOf(q, k, v, layout);
  const b = tf.backend();
  const o = allocOutput(b, q.shape);
  const lse = allocOutput(b, [s.B, s.H, s.T]);
  const blocks = Math.ceil(s.T / WG);
  const total = blocks * s.B * s.H;
  runKernel(b, {
    key: `versiflow-flash-fwd-${layout}-d${s.d}`,
    code: () => forwardCode(s.d, layout),
    bindings: [r(q), r(k), r(v), w(o), w(lse)],
    uniforms: uniforms(s, blocks, total),
    workgroups: grid(total),
  });
  return { o: tensorOf<tf.Rank.R4>(o), lse: tensorOf<tf.Rank.R3>(lse) };
}

/** Backward kernels: dq (q's shape), dk and dv (k's) from the saved forward and dO. */
export function flashAttentionBackward(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  o: tf.Tensor4D,
  lse: tf.Tensor3D,
  dO: tf.Tensor4D,
  layout: FlashLayout = 'heads',
): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const s = dimsOf(q, k, v, layout);
  const b = tf.backend();
  const gO = dO.dtype === 'float32' ? dO : tf.cast(dO, 'float32');
  const dq = allocOutput(b, q.shape);
  const dk = allocOutput(b, k.shape);
  const dv = allocOutput(b, v.shape);
  const dd = allocOutput(b, [s.B, s.H, s.T]);
  const blocks = Math.ceil(s.T / WG);
  const qTotal = blocks * s.B * s.H;
  runKernel(b, {
    key: `versiflow-flash-dq-${layout}-d${s.d}`,
    code: () => dqCode(s.d, layout),
    bindings: [r(q), r(k), r(v), r(o), r(gO), r(lse), w(dq), w(dd)],
    uniforms: uniforms(s, blocks, qTotal),
    workgroups: grid(qTotal),
  });
  const kTotal = blocks * s.B * s.KV;
  runKernel(b, {
    key: `versiflow-flash-dkv-${layout}-d${s.d}`,
    code: () => dkvCode(s.d, layout),
    bindings: [r(q), r(k), r(v), r(gO), r(lse), r(dd), w(dk), w(dv)],
    uniforms: uniforms(s, blocks, kTotal),
    workgroups: grid(kTotal),
  });
  tensorOf(dd).dispose();
  if (gO !== dO) gO.dispose();
  return [tensorOf<tf.Rank.R4>(dq), tensorOf<tf.Rank.R4>(dk), tensorOf<tf.Rank.R4>(dv)];
}

const opFor = (layout: FlashLayout) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, k, v] = args as tf.Tensor4D[];
    const save = args[3] as tf.GradSaveFunc;
    const { o, lse } = flashAttentionForward(q, k, v, layout);
    save([q, k, v, o, lse]);
    return {
      value: o,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, so, slse] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor3D];
        return flashAttentionBackward(sq, sk, sv, so, slse, dy as tf.Tensor4D, layout);
      },
    };
  });
const ops = { heads: opFor('heads'), tokens: opFor('tokens') };

/**
 * Causal grouped-query attention o = softmax(q·kᵀ/√d + causal mask)·v on the webgpu backend,
 * q [B, H, T, d], k, v [B, KV, T, d] → o [B, H, T, d] (layout 'tokens': q [B, T, H, d],
 * k, v [B, T, KV, d] → o [B, T, H, d]); differentiable w.r.t. q, k, v.
 */
export function flashAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, layout: FlashLayout = 'heads'): tf.Tensor4D {
  dimsOf(q, k, v, layout);
  return tf.tidy('versiflow:attention', () => ops[layout](q, k, v) as tf.Tensor4D);
}
