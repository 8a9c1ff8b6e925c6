import * as tf from '@tensorflow/tfjs';
import { fusedOn } from '../select.ts';
import { allocOutput, grid, runKernel, uniformBytes, webgpuInternals } from './dispatch.ts';
import { overrideKernel } from './overrideKernel.ts';
import { checkTiles, DEFAULT_TILES, formatTiles, matmulCode, matmulKey, parseTiles, reduceCode, type MatMulSpec, type MatMulTiles } from './matmul.ts';

/**
 * Runs the tiled matmul of ./matmul.ts as the webgpu backend's `BatchMatMul` kernel.
 *   BatchMatMul(a, b; transposeA, transposeB) = op(a) · op(b) over the batch dims (all but the last
 *   two), flattened; a batch of 1 on either side broadcasts. tfjs's gradient of BatchMatMul is
 *   BatchMatMul with other transpose flags, so backward passes run this kernel too.
 * Cases it leaves to tfjs's stock kernel: non-float32 inputs, batch dims that broadcast other than
 * "equal or one side 1", empty matrices, and small outputs (M·N below `minOutputs`), where dispatch
 * overhead rules. Few output tiles with a long K (weight gradients: 640×640 outputs, K = B·T) split K
 * over `splits` workgroup sets writing partial sums, added by a second small kernel.
 */

export interface MatMulOptions {
  readonly tiles?: MatMulTiles;
  /**
   * Subgroup variant: 'on', 'off', or 'auto' (when the device has the `subgroups` feature). Off by
   * default: the plain variant was faster on every matmul shape of a 75M training step on the one
   * card measured (docs/benchmarks.md#matmul-tile-sweep); autotuning still tries it per shape. @default 'off'
   */
  readonly subgroups?: 'auto' | 'on' | 'off';
  /** Matrices with fewer outputs (M·N) go to the stock kernel. @default 4096 */
  readonly minOutputs?: number;
  /** Split K when fewer workgroups than this would run; 0 never splits. @default 256 */
  readonly minWorkgroups?: number;
  /** Least K per split. @default 512 */
  readonly minSplitK?: number;
  /** Register prefetch of the next K tile (see MatMulSpec.prefetch). @default true */
  readonly prefetch?: boolean;
  /** Tests only: see MatMulSpec.fallback. */
  readonly fallback?: 'poison' | 'force';
}

export interface MatMulPlan {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly batch: number;
  /** Elements between consecutive matrices of a and b; 0 when one matrix broadcasts. */
  readonly aStride: number;
  readonly bStride: number;
  readonly outShape: number[];
  readonly tilesM: number;
  readonly tilesN: number;
  readonly splits: number;
  readonly kPer: number;
}

const MAX_SPLITS = 32;
/** Partial sums of split-K stay below this many bytes. */
const MAX_PARTIAL_BYTES = 256 * 2 ** 20;

/** How the kernel would run op(a)·op(b), or null when the stock kernel should. Pure (no device). */
export function planMatMul(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean, opts: MatMulOptions = {}): MatMulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const M = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const K = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const Kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const N = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (K !== Kb || M * N * K === 0) return null; // the stock kernel reports the mismatch
  if (M * N < (opts.minOutputs ?? 4096)) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const batch = Math.max(batchA, batchB);
  const t = opts.tiles ?? DEFAULT_TILES;
  const tilesM = Math.ceil(M / t.bm);
  const tilesN = Math.ceil(N / t.bn);
  const groups = batch * tilesM * tilesN;
  let splits = 1;
  let kPer = K;
  const minWg = opts.minWorkgroups ?? 256;
  const minK = Math.max(opts.minSplitK ?? 512, t.bk);
  if (minWg > 0 && groups < minWg && K >= 2 * minK) {
    const byMemory = Math.floor(MAX_PARTIAL_BYTES / (batch * M * N * 4));
    const want = Math.min(Math.ceil(minWg / groups), Math.floor(K / minK), MAX_SPLITS, byMemory);
    if (want > 1) {
      kPer = Math.ceil(K / want / t.bk) * t.bk;
      splits = Math.ceil(K / kPer);
    }
  }
  return {
    M,
    N,
    K,
    batch,
    aStride: batchA === 1 ? 0 : M * K,
    bStride: batchB === 1 ? 0 : K * N,
    outShape: [...outer, M, N],
    tilesM,
    tilesN,
    splits,
    kPer,
  };
}

const checked = new Set<string>();

/** op(a)·op(b) on the webgpu backend `backend`, or null when the plan leaves it to the stock kernel. */
export function matMulWebgpu(backend: tf.KernelBackend, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, opts: MatMulOptions = {}): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const p = planMatMul(a.shape, b.shape, transposeA, transposeB, opts);
  if (!p) return null;
  const has = webgpuInternals(backend).device.features.has('subgroups');
  const want = opts.subgroups ?? 'off';
  if (want === 'on' && !has) throw new Error("matmul: subgroups: 'on' but the WebGPU device has no `subgroups` feature");
  const spec: MatMulSpec = {
    transposeA,
    transposeB,
    vecA: (transposeA ? p.M : p.K) % 4 === 0,
    vecB: (transposeB ? p.K : p.N) % 4 === 0,
    vecC: p.N % 4 === 0,
    subgroups: want === 'on' || (want === 'auto' && has),
    tiles: opts.tiles ?? DEFAULT_TILES,
    prefetch: opts.prefetch ?? true,
    fallback: opts.fallback,
  };
  const key = matmulKey(spec);
  if (!checked.has(key)) {
    checkTiles(spec, webgpuInternals(backend).device.limits.maxComputeWorkgroupStorageSize);
    checked.add(key);
  }
  const out = allocOutput(backend, p.outShape);
  const len = p.batch * p.M * p.N;
  const dst = p.splits > 1 ? allocOutput(backend, [p.splits * len]) : out;
  const total = p.splits * p.batch * p.tilesM * p.tilesN;
  runKernel(backend, {
    key,
    code: () => matmulCode(spec),
    bindings: [
      { tensor: a, access: 'read' },
      { tensor: b, access: 'read' },
      { tensor: dst, access: 'read_write' },
    ],
    uniforms: uniformBytes([p.M, p.N, p.K, p.tilesM, p.tilesN, p.batch, total, p.aStride, p.bStride, p.kPer].map((u) => ({ u }))),
    workgroups: grid(total),
  });
  if (p.splits > 1) {
    const vec = len % 4 === 0;
    const lanes = vec ? len / 4 : len;
    runKernel(backend, {
      key: `versiflow-matmul-splitk-sum-${vec ? 'vec4' : 'f32'}`,
      code: () => reduceCode(vec),
      bindings: [
        { tensor: dst, access: 'read' },
        { tensor: out, access: 'read_write' },
      ],
      uniforms: uniformBytes([{ u: lanes }, { u: p.splits }]),
      workgroups: grid(Math.ceil(lanes / 256)),
    });
    backend.disposeData(dst.dataId); // released once the recorded commands are submitted
  }
  return out;
}

/** BatchMatMul calls the registered kernel ran itself and passed to the stock kernel (for benches and tests). */
export const matmulCalls = { ours: 0, stock: 0 };

let current: MatMulOptions = {};

/** A BatchMatMul call's shape class: operand shapes and transpose flags. */
export interface MatMulShape {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}
export const matMulShapeKey = (s: MatMulShape) => `${s.a.join('x')}${s.transposeA ? 'T' : ''}·${s.b.join('x')}${s.transposeB ? 'T' : ''}`;

/** One way to run Versiflow's kernel: a tile setting, plain or with the subgroup variant. */
export interface MatMulVariant {
  readonly tiles: MatMulTiles;
  readonly subgroups: boolean;
}

/** "128x128x16:8x8", with "/sg" for the subgroup variant. */
export const formatVariant = (v: MatMulVariant) => `${formatTiles(v.tiles)}${v.subgroups ? '/sg' : ''}`;

/** Per shape class: Versiflow's kernel (with this variant, or the configured one when null) or false = tfjs's (set by autotuning; absent = ours, configured). */
const perShape = new Map<string, MatMulVariant | null | false>();
/** The variant for shape classes autotuning did not see (a batch cut to a shorter length, say); null = the configured one. */
let unseen: MatMulVariant | null = null;
/** While set, every BatchMatMul call's shape class is added to it (autotuning collects a step's shapes). */
let recorder: Map<string, MatMulShape> | null = null;

/** Runs `f` and returns the distinct matmul shape classes it called, in first-call order. */
export function recordMatMulShapes(f: () => void): MatMulShape[] {
  const seen = new Map<string, MatMulShape>();
  recorder = seen;
  try {
    f();
  } finally {
    recorder = null;
  }
  return [...seen.values()];
}

/**
 * Chooses the kernel for one shape class: true = Versiflow's as configured, a variant = Versiflow's
 * with that, false = tfjs's; `null` forgets every choice.
 */
export function chooseMatMul(shape: MatMulShape | null, ours: boolean | MatMulVariant = true): void {
  if (shape === null) {
    perShape.clear();
    unseen = null;
  } else perShape.set(matMulShapeKey(shape), ours === true ? null : ours);
}

/** What runs a shape class: tfjs's kernel (false), a chosen variant, or null = Versiflow's as configured. */
export function matMulChoice(shape: MatMulShape): MatMulVariant | false | null {
  return choiceFor(matMulShapeKey(shape));
}

function choiceFor(key: string): MatMulVariant | false | null {
  const c = perShape.get(key);
  return c === undefined ? unseen : c;
}

/** Sets the variant for shape classes no choice names (autotuning: the one fastest over all its shapes); null = the configured one. */
export function chooseMatMulForUnseen(v: MatMulVariant | null): void {
  unseen = v;
}

/**
 * Variants tried per shape class when autotuning, the default first: which wins depends on the card
 * and the shape (the measured winners: docs/benchmarks.md#matmul-tile-sweep). Each plain setting here
 * won some shapes on a card measured; the subgroup variant is kept at its best setting for other cards.
 * 128x64x32:8x4 halves the barriers per K (25 KiB of workgroup memory; cards offering only WebGPU's
 * guaranteed 16 KiB skip it). A variant the device cannot run (workgroup memory, no `subgroups`) is skipped.
 */
export const TUNE_VARIANTS: readonly MatMulVariant[] = [
  { tiles: DEFAULT_TILES, subgroups: false },
  { tiles: parseTiles('128x128x16:8x8'), subgroups: false },
  { tiles: parseTiles('64x64x16:4x4'), subgroups: false },
  { tiles: parseTiles('128x64x32:8x4'), subgroups: false },
  { tiles: parseTiles('128x128x16:8x8'), subgroups: true },
];

/** The variants autotuning should try: the configured tiles alone (plain, and with subgroups where bk allows) when `matmul_tiles` set them, else TUNE_VARIANTS. */
export function matmulTuneCandidates(): readonly MatMulVariant[] {
  const t = current.tiles;
  if (!t) return TUNE_VARIANTS;
  return t.bk % 16 === 0 ? [{ tiles: t, subgroups: false }, { tiles: t, subgroups: true }] : [{ tiles: t, subgroups: false }];
}

/**
 * Makes the webgpu backend's BatchMatMul run matMulWebgpu (float32, the cases planMatMul takes) and
 * tfjs's own kernel for the rest. Calling it again only changes the options. Returns false when the
 * webgpu backend is not loaded (no kernel to replace).
 */
export function registerSubgroupMatMul(opts: MatMulOptions = {}): boolean {
  current = opts;
  return batchMatMul.register();
}

/** Puts tfjs's stock BatchMatMul back (no-op when not registered). */
export function unregisterSubgroupMatMul(): void {
  batchMatMul.unregister();
}

const batchMatMul = overrideKernel('BatchMatMul', (stock) => (args) => {
  if (!fusedOn('matmul')) return stock(args); // kernels: stock, or autotuning measured stock faster
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA = false, transposeB = false } = args.attrs as { transposeA?: boolean; transposeB?: boolean };
  let opts = current;
  if (recorder || perShape.size || unseen) {
    const shape = { a: a.shape, b: b.shape, transposeA, transposeB };
    const k = matMulShapeKey(shape);
    if (recorder && !recorder.has(k)) recorder.set(k, shape);
    const v = choiceFor(k);
    if (v === false) {
      matmulCalls.stock++;
      return stock(args);
    }
    if (v) opts = { ...current, tiles: v.tiles, subgroups: v.subgroups ? 'on' : 'off' };
  }
  const out = matMulWebgpu(args.backend as tf.KernelBackend, a, b, transposeA, transposeB, opts);
  if (out) {
    matmulCalls.ours++;
    return out;
  }
  matmulCalls.stock++;
  return stock(args);
});
