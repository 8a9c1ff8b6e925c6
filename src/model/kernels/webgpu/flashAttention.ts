import * as tf from '@tensorflow/tfjs';
import { allocOutput, grid, runKernel, uniformBytes, webgpuInternals } from './dispatch.ts';

/**
 * Fused causal attention (FlashAttention-2 style) on WebGPU, with grouped-query attention.
 *   q [B, H, T, d], k, v [B, KV, T, d] (row-major), g = H / KV; query head h reads kv head ⌊h / g⌋.
 *   Layout 'tokens' takes q [B, T, H, d], k, v [B, T, KV, d] and gives o [B, T, H, d]: the
 *   projections' own layout, so splitting and merging heads costs no transpose (4 per layer).
 *   s_ij = q_i·k_j / √d for j ≤ i,  p_ij = exp(s_ij − lse_i),  lse_i = log Σ_j exp(s_ij),  o_i = Σ_j p_ij v_j
 * Backward, with D_i = dO_i·o_i and ds_ij = p_ij (dO_i·v_j − D_i):
 *   dq_i = Σ_j ds_ij k_j / √d,  dk_j = Σ_{h∈group} Σ_{i≥j} ds_ij q_i / √d,  dv_j = Σ_{h∈group} Σ_{i≥j} p_ij dO_i
 * No [T, T] tensor exists: scores live one key (or query) tile at a time in registers.
 * Kernels (blocks of 64 rows per workgroup; each row held in registers as vec4s, zero-padded to
 * ⌈d/4⌉·4 when d % 4 ≠ 0, by one thread or split across P = 2 or 4 subgroup lanes (FlashLanes);
 * the head dim and P are baked into the WGSL):
 *   forward  — row = query; loops key tiles (staged in workgroup memory) up to the block's
 *              diagonal with an online softmax (running max m, sum l, rescaled when m grows);
 *              writes o and lse = m + log l [B, H, T].
 *   dq       — row = query; computes D_i (written for the next kernel), loops key tiles ≤ diagonal.
 *   dk/dv    — row = key of one kv head; loops the g query heads of its group and the query tiles
 *              from its block's first row, so the group sum happens in registers (no atomics).
 */

/** Rows (queries or keys) per workgroup block; a workgroup has ROWS · lanes threads. */
const ROWS = 64;
/** Largest head dim the register arrays are sized for. */
export const FLASH_MAX_HEAD_DIM = 128;
/** Workgroup storage budget per kernel (WebGPU's guaranteed minimum). */
const SHARED_BYTES = 16384;

/** heads = [B, n, T, d]; tokens = [B, T, n, d] (a projection [B·T, n·d] viewed as heads). */
export type FlashLayout = 'heads' | 'tokens';

/**
 * Threads per row: 1 holds a whole row of d floats per array in registers (4 arrays in dk/dv: 320
 * floats at d = 80, past NVIDIA's 255 registers a thread); 2 or 4 split the row's columns across
 * adjacent subgroup lanes, which add their partial dot products with subgroupShuffleXor. Needs the
 * `subgroups` feature, adjacent invocations in one subgroup (probed once: `probeFlashLanes`) and
 * ⌈d/4⌉ divisible by the lanes. `kernels: auto` times each against the others at the run's shapes.
 */
export type FlashLanes = 1 | 2 | 4;

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
export const keyTile = (d: number) => Math.min(ROWS, Math.floor(SHARED_BYTES / (2 * 16 * cols(d))));
/** Query rows per tile in dk/dv: Q and dO tiles plus lse and D per row. */
export const queryTile = (d: number) => Math.min(ROWS, Math.floor(SHARED_BYTES / (2 * 16 * cols(d) + 8)));

/** The statements of `f(c)` for every one of a thread's n vec4 columns, written out (constant register indices). */
const each = (n: number, f: (c: number) => string) => Array.from({ length: n }, (_, c) => f(c)).join(' ');

/** Per-kernel shape of the generated code: the head dim, the layout and the lanes per row. */
interface Gen {
  readonly d: number;
  readonly layout: FlashLayout;
  readonly P: FlashLanes;
}
/** vec4 columns per lane, and the WGSL column of this lane's column c (`part` = lane within the row). */
const perLane = (g: Gen) => cols(g.d) / g.P;
const col = (g: Gen, c: number) => (g.P === 1 ? `${c}u` : `part * ${perLane(g)}u + ${c}u`);

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

/**
 * The module header for P lanes: `enable subgroups`, `red(x)` = x summed over the row's lanes, and
 * `lanesOk`, false when adjacent invocations are not subgroup neighbours (then the kernel writes NaN
 * rather than wrong numbers; probeFlashLanes keeps such a device on one lane).
 */
function lanesHeader(P: FlashLanes): string {
  if (P === 1) return 'fn red(x: vec2<f32>) -> vec2<f32> { return x; }';
  const steps = P === 2 ? [1] : [1, 2];
  return `enable subgroups;
fn red(x: vec2<f32>) -> vec2<f32> {
  var y = x;
${steps.map((m) => `  y += subgroupShuffleXor(y, ${m}u);`).join('\n')}
  return y;
}
fn lanesOk(li: u32) -> bool {
  var ok = true; // & (not &&): no shuffle may sit behind a branch
${steps.map((m) => `  ok = ok & (subgroupShuffleXor(li, ${m}u) == (li ^ ${m}u));`).join('\n')}
  return ok;
}`;
}

/** Entry point: wg = this workgroup's flat index; threads ROWS·P; `part` = lane within the row. */
function entry(P: FlashLanes): string {
  return `@compute @workgroup_size(${ROWS * P})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let wg = wid.y * nwg.x + wid.x;
  if (wg >= u.total) { return; }
  let r0 = li / ${P}u;
  let part = li % ${P}u;
  ${P === 1 ? 'let nanIfBad = 0.0;' : 'let nanIfBad = select(bitcast<f32>(0x7fc00000u | (u.T & 0u)), 0.0, lanesOk(li)); // a NaN made at run time (a constant one does not compile)'}`;
}

/**
 * Stages key tile [j0, j0 + BC) of K and V (kv head kvh of batch b) into Ks/Vs, zeros past T.
 * Opens and closes with a barrier, so the previous tile's readers are done.
 */
const stageKv = (bc: number, g: Gen) => {
  const c4 = cols(g.d);
  return `
    workgroupBarrier();
    for (var x = li; x < ${bc * c4}u; x += ${ROWS * g.P}u) {
      let kr = j0 + x / ${c4}u;
      var kx = vec4<f32>(0.0);
      var vx = vec4<f32>(0.0);
      if (kr < u.T) { kx = ld_K(kvRow(b, kvh, kr), x % ${c4}u); vx = ld_V(kvRow(b, kvh, kr), x % ${c4}u); }
      Ks[x] = kx;
      Vs[x] = vx;
    }
    workgroupBarrier();`;
};

/** Header shared by forward and dq: query row t of head h per row of threads (row: its q/o index, srow: lse/D). */
const queryRowSetup = `
  let rb = wg % u.blocks;
  let bh = wg / u.blocks;
  let b = bh / u.H;
  let kvh = (bh % u.H) / u.G;
  let t = rb * ${ROWS}u + r0;
  let valid = t < u.T;
  let row = qRow(b, bh % u.H, t);
  let srow = bh * u.T + t;
  let kEnd = min(u.T, rb * ${ROWS}u + ${ROWS}u);`;

/**
 * The loop over the keys of a staged tile for query row t. One lane: from key j0 to t only (the
 * causal diagonal), skipped by invalid rows. Several: every thread runs every key of the tile (the
 * lanes' shuffles must stay in uniform control flow) and `keep` says whether key j counts.
 */
function keyLoop(g: Gen, bc: number, body: (keep: string) => string): string {
  if (g.P === 1) {
    return `
    if (valid && j0 <= t) {
      let n = min(${bc}u, t + 1u - j0);
      for (var j = 0u; j < n; j++) {
${body('true')}
      }
    }`;
  }
  return `
    let n = min(${bc}u, kEnd - j0);
    for (var j = 0u; j < n; j++) {
${body('valid && j0 + j <= t')}
    }`;
}

/** The module preamble of every flash kernel: subgroups and red() for P lanes, the uniforms, the row indices. */
const preamble = (g: Gen) => `${lanesHeader(g.P)}\n${UNIFORMS}\n${rowFns(g.layout)}`;

/** Forward and dQ: the K and V tile in workgroup memory (bc keys), and this lane's vec4 column c of key j in it. */
function keyTileOf(g: Gen) {
  const c4 = cols(g.d);
  const bc = keyTile(g.d);
  return {
    bc,
    shared: `var<workgroup> Ks: array<vec4<f32>, ${bc * c4}>;\nvar<workgroup> Vs: array<vec4<f32>, ${bc * c4}>;`,
    K: (c: number) => `Ks[j * ${c4}u + ${col(g, c)}]`,
    V: (c: number) => `Vs[j * ${c4}u + ${col(g, c)}]`,
  };
}

function forwardCode(g: Gen): string {
  const { d } = g;
  const n = perLane(g);
  const { bc, shared, K, V } = keyTileOf(g);
  return /* wgsl */ `${preamble(g)}
${decl(0, 'Q', d, false)}
${decl(1, 'K', d, false)}
${decl(2, 'V', d, false)}
${decl(3, 'O', d, true)}
@group(0) @binding(4) var<storage, read_write> L: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
${shared}
${loader('Q', d)}
${loader('K', d)}
${loader('V', d)}
${storer('O', d)}
${entry(g.P)}
${queryRowSetup}
  var q: array<vec4<f32>, ${n}>;
  var acc: array<vec4<f32>, ${n}>;
  if (valid) { ${each(n, (c) => `q[${c}] = ld_Q(row, ${col(g, c)}) * u.scale;`)} }
  var m = -3.0e38;
  var l = 0.0;
  for (var j0 = 0u; j0 < kEnd; j0 += ${bc}u) {
${stageKv(bc, g)}
${keyLoop(
  g,
  bc,
  (keep) => `
        var sj = 0.0;
        ${each(n, (c) => `sj += dot(q[${c}], ${K(c)});`)}
        sj = red(vec2<f32>(sj, 0.0)).x;
        if (${keep}) {
          if (sj > m) { // new running max (rare after the first keys): rescale what was summed so far
            let alpha = exp(m - sj);
            l *= alpha;
            ${each(n, (c) => `acc[${c}] *= alpha;`)}
            m = sj;
          }
          let p = exp(sj - m);
          l += p;
          ${each(n, (c) => `acc[${c}] += p * ${V(c)};`)}
        }`,
)}
  }
  if (valid) {
    let inv = 1.0 / l + nanIfBad;
    ${each(n, (c) => `st_O(row, ${col(g, c)}, acc[${c}] * inv);`)}
    if (part == 0u) { L[srow] = m + log(l) + nanIfBad; }
  }
}`;
}

function dqCode(g: Gen): string {
  const { d } = g;
  const n = perLane(g);
  const { bc, shared, K, V } = keyTileOf(g);
  return /* wgsl */ `${preamble(g)}
${decl(0, 'Q', d, false)}
${decl(1, 'K', d, false)}
${decl(2, 'V', d, false)}
${decl(3, 'O', d, false)}
${decl(4, 'dO', d, false)}
@group(0) @binding(5) var<storage, read> L: array<f32>;
${decl(6, 'dQ', d, true)}
@group(0) @binding(7) var<storage, read_write> Dd: array<f32>;
@group(0) @binding(8) var<uniform> u: U;
${shared}
${loader('Q', d)}
${loader('K', d)}
${loader('V', d)}
${loader('O', d)}
${loader('dO', d)}
${storer('dQ', d)}
${entry(g.P)}
${queryRowSetup}
  var q: array<vec4<f32>, ${n}>;
  var go: array<vec4<f32>, ${n}>;
  var dq: array<vec4<f32>, ${n}>;
  var di = 0.0;
  var lse = 0.0;
  if (valid) {
    ${each(n, (c) => `q[${c}] = ld_Q(row, ${col(g, c)}) * u.scale; go[${c}] = ld_dO(row, ${col(g, c)}); di += dot(go[${c}], ld_O(row, ${col(g, c)}));`)}
    lse = L[srow];
  }
  di = red(vec2<f32>(di, 0.0)).x;
  if (valid && part == 0u) { Dd[srow] = di; }
  for (var j0 = 0u; j0 < kEnd; j0 += ${bc}u) {
${stageKv(bc, g)}
${keyLoop(
  g,
  bc,
  (keep) => `
        var sd = vec2<f32>(0.0);
        ${each(n, (c) => `sd += vec2<f32>(dot(q[${c}], ${K(c)}), dot(go[${c}], ${V(c)}));`)}
        sd = red(sd);
        if (${keep}) {
          let ds = exp(sd.x - lse) * (sd.y - di);
          ${each(n, (c) => `dq[${c}] += ds * ${K(c)};`)}
        }`,
)}
  }
  if (valid) { ${each(n, (c) => `st_dQ(row, ${col(g, c)}, dq[${c}] * (u.scale + nanIfBad));`)} }
}`;
}

function dkvCode(g: Gen): string {
  const { d } = g;
  const c4 = cols(d);
  const n = perLane(g);
  const bq = queryTile(d);
  const Q = (c: number) => `Qs[r * ${c4}u + ${col(g, c)}]`;
  const G = (c: number) => `Gs[r * ${c4}u + ${col(g, c)}]`;
  const body = (keep: string) => `
          var sd = vec2<f32>(0.0);
          ${each(n, (c) => `sd += vec2<f32>(dot(${Q(c)}, k[${c}]), dot(${G(c)}, v[${c}]));`)}
          sd = red(sd);
          if (${keep}) {
            let p = exp(sd.x - Ls[r]);
            let ds = p * (sd.y - Ds[r]);
            ${each(n, (c) => `dv[${c}] += p * ${G(c)}; dk[${c}] += ds * ${Q(c)};`)}
          }`;
  // one lane: from the first query at or after key j (causal), skipped by invalid rows; several: every
  // query of the tile (uniform control flow for the shuffles), counted from key j on
  const rows =
    g.P === 1
      ? `
      if (valid && j < i0 + ${bq}u) {
        let first = select(0u, j - i0, j > i0);
        let n = min(${bq}u, u.T - i0);
        for (var r = first; r < n; r++) {${body('true')}
        }
      }`
      : `
      let n = min(${bq}u, u.T - i0);
      for (var r = 0u; r < n; r++) {${body('valid && i0 + r >= j')}
      }`;
  return /* wgsl */ `${preamble(g)}
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
${entry(g.P)}
  let kb = wg % u.blocks;
  let bkv = wg / u.blocks;
  let b = bkv / u.KV;
  let kvh = bkv % u.KV;
  let i0Start = kb * ${ROWS}u;
  let j = i0Start + r0;
  let valid = j < u.T;
  let krow = kvRow(b, kvh, j);
  var k: array<vec4<f32>, ${n}>;
  var v: array<vec4<f32>, ${n}>;
  var dk: array<vec4<f32>, ${n}>;
  var dv: array<vec4<f32>, ${n}>;
  if (valid) {
    ${each(n, (c) => `k[${c}] = ld_K(krow, ${col(g, c)}) * u.scale; v[${c}] = ld_V(krow, ${col(g, c)});`)}
  }
  for (var hh = 0u; hh < u.G; hh++) {
    let h = kvh * u.G + hh;
    let sBase = (b * u.H + h) * u.T;
    for (var i0 = i0Start; i0 < u.T; i0 += ${bq}u) {
      workgroupBarrier();
      for (var x = li; x < ${bq * c4}u; x += ${ROWS * g.P}u) {
        let qi = i0 + x / ${c4}u;
        var qx = vec4<f32>(0.0);
        var gx = vec4<f32>(0.0);
        if (qi < u.T) { qx = ld_Q(qRow(b, h, qi), x % ${c4}u); gx = ld_dO(qRow(b, h, qi), x % ${c4}u); }
        Qs[x] = qx;
        Gs[x] = gx;
      }
      for (var x = li; x < ${bq}u; x += ${ROWS * g.P}u) {
        var lx = 0.0;
        var dx = 0.0;
        if (i0 + x < u.T) { lx = L[sBase + i0 + x]; dx = Dd[sBase + i0 + x]; }
        Ls[x] = lx;
        Ds[x] = dx;
      }
      workgroupBarrier();${rows}
    }
  }
  if (valid) {
    ${each(n, (c) => `st_dK(krow, ${col(g, c)}, dk[${c}] * (u.scale + nanIfBad)); st_dV(krow, ${col(g, c)}, dv[${c}] + nanIfBad);`)}
  }
}`;
}

let wantedLanes: FlashLanes = 1;
/** Per device: adjacent invocations are subgroup neighbours (probeFlashLanes ran and said so). */
const lanesProbed = new WeakMap<GPUDevice, boolean>();

/** Asks for P lanes per row (autotuning, tests); a device or head dim that cannot take them runs 1. */
export function setFlashLanes(P: FlashLanes): void {
  wantedLanes = P;
}

/** The lanes per row asked for (setFlashLanes); what runs is flashLanesFor(d). */
export function flashLanesWanted(): FlashLanes {
  return wantedLanes;
}

/** True when P lanes per row can run head dim d on the active webgpu device. */
function lanesRun(P: FlashLanes, d: number): boolean {
  if (P === 1) return true;
  if (cols(d) % P !== 0) return false;
  const device = webgpuInternals(tf.backend()).device;
  return device.features.has('subgroups') && lanesProbed.get(device) === true;
}

/** The lanes per row the kernels run for head dim d on the active webgpu device. */
export function flashLanesFor(d: number): FlashLanes {
  return lanesRun(wantedLanes, d) ? wantedLanes : 1;
}

/** Lane counts head dim d can run on the active device (1 always). */
export function flashLanesAvailable(d: number): FlashLanes[] {
  return ([1, 2, 4] as const).filter((P) => lanesRun(P, d));
}

/**
 * Checks once per device that invocation li's subgroupShuffleXor partners are li ^ 1 and li ^ 2 in
 * a workgroup of 256 (what the multi-lane kernels assume; true where subgroups are runs of adjacent
 * invocations, as on NVIDIA, AMD, Intel, Apple and lavapipe). Without `subgroups` it is false.
 */
export async function probeFlashLanes(): Promise<boolean> {
  const b = tf.backend();
  const device = webgpuInternals(b).device;
  const known = lanesProbed.get(device);
  if (known !== undefined) return known;
  let ok = false;
  if (device.features.has('subgroups')) {
    const out = allocOutput(b, [512], 'int32');
    runKernel(b, {
      key: 'versiflow-flash-lanes-probe',
      code: () => `enable subgroups;
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  let a = subgroupShuffleXor(li, 1u);
  let c = subgroupShuffleXor(li, 2u);
  y[li] = a;
  y[256u + li] = c;
}`,
      bindings: [{ tensor: out, access: 'read_write' }],
      workgroups: [1],
    });
    const t = tf.engine().makeTensorFromTensorInfo(out);
    const got = await t.data();
    t.dispose();
    ok = Array.from({ length: 256 }, (_, li) => got[li] === (li ^ 1) && got[256 + li] === (li ^ 2)).every(Boolean);
  }
  lanesProbed.set(device, ok);
  return ok;
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
  const blocks = Math.ceil(s.T / ROWS);
  const total = blocks * s.B * s.H;
  const g: Gen = { d: s.d, layout, P: flashLanesFor(s.d) };
  runKernel(b, {
    key: `versiflow-flash-fwd-${layout}-d${s.d}-p${g.P}`,
    code: () => forwardCode(g),
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
  const blocks = Math.ceil(s.T / ROWS);
  const qTotal = blocks * s.B * s.H;
  const g: Gen = { d: s.d, layout, P: flashLanesFor(s.d) };
  runKernel(b, {
    key: `versiflow-flash-dq-${layout}-d${s.d}-p${g.P}`,
    code: () => dqCode(g),
    bindings: [r(q), r(k), r(v), r(o), r(gO), r(lse), w(dq), w(dd)],
    uniforms: uniforms(s, blocks, qTotal),
    workgroups: grid(qTotal),
  });
  const kTotal = blocks * s.B * s.KV;
  runKernel(b, {
    key: `versiflow-flash-dkv-${layout}-d${s.d}-p${g.P}`,
    code: () => dkvCode(g),
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
