import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { installNavigatorGpu } from '../../../src/model/backend/webgpuSetup.ts';
import { tuneMatMulShapes } from '../../../src/model/tuners/tuneMatMul.ts';
import { chooseMatMul, formatVariant, matMulChoice, type MatMulVariant, TUNE_VARIANTS, matmulCalls, matMulShapeKey, matMulWebgpu, planMatMul, recordMatMulShapes, registerSubgroupMatMul, unregisterSubgroupMatMul, type MatMulOptions } from '../../../src/model/kernels/webgpu/matmulKernel.ts';
import { checkTiles, DEFAULT_TILES, type MatMulTiles, parseTiles } from '../../../src/model/kernels/webgpu/matmul.ts';
import { webgpuInternals } from '../../../src/model/kernels/webgpu/dispatch.ts';
import { onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

/*
 * The tiled matmul against the cpu backend's tf.matMul: every transpose combination, odd and
 * tile-multiple sizes (scalar and vec4 paths), batches and broadcast batches, split-K, the subgroup
 * variant (lavapipe: subgroup size 8) and its plain path, the registered BatchMatMul and its gradients.
 * Error measure: max |got − want| / max |want|, fp32 summation over K terms: tolerance 1e-6·√K + 1e-6.
 */

// Ask for the device's `subgroups` feature before the webgpu backend starts (tfjs does not).
let gpu = false;
try {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  await installNavigatorGpu({ allowSoftware: true });
  gpu = await webgpuAvailable();
} catch {
  gpu = await webgpuAvailable();
}
let hasSubgroups = false;
if (gpu) {
  await tf.setBackend('webgpu');
  hasSubgroups = webgpuInternals(tf.backend()).device.features.has('subgroups');
  await tf.setBackend('cpu');
}

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean };

function shapes(M: number, N: number, K: number, ta: boolean, tb: boolean, batchA: number[] = [], batchB: number[] = []): Case {
  return { a: [...batchA, ...(ta ? [K, M] : [M, K])], b: [...batchB, ...(tb ? [N, K] : [K, N])], ta, tb };
}

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    d = Math.max(d, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return Number.isNaN(d) || got.length === 0 ? NaN : d / m; // NaN anywhere fails the comparison
}

const tol = (K: number) => 1e-6 * Math.sqrt(K) + 1e-6;

/** Runs each case on cpu (reference) and with matMulWebgpu on webgpu; returns the errors. */
async function compare(cases: Case[], opts: MatMulOptions): Promise<{ c: Case; err: number; K: number }[]> {
  const inputs = cases.map((c, i) => [seeded(size(c.a), 2 * i + 1), seeded(size(c.b), 2 * i + 2)]);
  const want = cases.map((c, i) => tf.tidy(() => tf.matMul(tf.tensor(inputs[i][0], c.a), tf.tensor(inputs[i][1], c.b), c.ta, c.tb).dataSync()));
  const got = await onWebgpu(() =>
    cases.map((c, i) => {
      const info = matMulWebgpu(tf.backend(), tf.tensor(inputs[i][0], c.a), tf.tensor(inputs[i][1], c.b), c.ta, c.tb, opts);
      if (!info) throw new Error(`plan declined ${JSON.stringify(c)}`);
      return tf.engine().makeTensorFromTensorInfo(info);
    }),
  );
  return cases.map((c, i) => ({ c, err: relErr(got[i], want[i]), K: c.ta ? c.a[c.a.length - 2] : c.a[c.a.length - 1] }));
}

function expectAll(results: { c: Case; err: number; K: number }[]): void {
  for (const r of results) expect(r.err, JSON.stringify(r.c)).toBeLessThan(tol(r.K));
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
// Lavapipe compiles each pipeline on its first dispatch (1–9 s each on 2 shared cores), so the cases
// are chosen to hit few distinct variants: sizes all not multiples of 4 (scalar loads and stores) or
// all multiples of 4 (vec4), per transpose pair, with small tiles; the production tiles get a few cases.
// (M, N, K): odd, 1s — and multiples of 4: tile multiples, not tile multiples
const SCALAR: [number, number, number][] = [
  [67, 45, 33],
  [1, 45, 33],
  [67, 1, 33],
  [67, 45, 1],
];
const VEC: [number, number, number][] = [
  [128, 64, 64],
  [200, 132, 300],
  [36, 68, 20],
];
const ALL = TRANSPOSES.flatMap(([ta, tb]) => [...SCALAR, ...VEC].map(([M, N, K]) => shapes(M, N, K, ta, tb)));
const BATCHED = [
  shapes(68, 92, 36, false, false, [3], [3]),
  shapes(68, 92, 36, false, true, [], [2]),
  shapes(45, 51, 33, true, false, [2, 3], []),
  shapes(40, 52, 36, true, true, [1, 2], [2]),
];
/** 64 invocations of 4×4: small unrolled code, quick to compile on lavapipe. */
const SMALL: MatMulTiles = { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4, groupM: 2 };
const SMALL_SG: MatMulTiles = { ...SMALL, bk: 16 };
const plain: MatMulOptions = { subgroups: 'off', minOutputs: 0, tiles: SMALL };
const sg: MatMulOptions = { subgroups: 'on', minOutputs: 0, tiles: SMALL_SG, fallback: 'poison' };

describe('planMatMul', () => {
  it('leaves small, empty, mismatched and cross-broadcast batches to the stock kernel', () => {
    expect(planMatMul([60, 30], [30, 60], false, false)).toBeNull(); // 3600 outputs < 4096
    expect(planMatMul([64, 0], [0, 64], false, false)).toBeNull();
    expect(planMatMul([64, 30], [31, 64], false, false)).toBeNull();
    expect(planMatMul([2, 1, 64, 30], [1, 3, 30, 64], false, false)).toBeNull();
    const p = planMatMul([2, 3, 30, 64], [30, 64], true, false)!;
    expect(p).toMatchObject({ M: 64, N: 64, K: 30, batch: 6, aStride: 64 * 30, bStride: 0, outShape: [2, 3, 64, 64], splits: 1 });
  });

  it('splits a long K when the output has few tiles (weight gradients)', () => {
    const p = planMatMul([16384, 640], [16384, 640], true, false)!; // 640×640, K = 16384
    expect(p.splits).toBeGreaterThan(1);
    expect(p.kPer % DEFAULT_TILES.bk).toBe(0);
    expect((p.splits - 1) * p.kPer).toBeLessThan(16384);
    expect(p.splits * p.kPer).toBeGreaterThanOrEqual(16384);
    expect(planMatMul([16384, 640], [640, 3456], false, false)!.splits).toBe(1);
  });

  it('rejects tiles beyond the workgroup limits', () => {
    const spec = { transposeA: false, transposeB: false, vecA: true, vecB: true, vecC: true, subgroups: false };
    expect(() => checkTiles({ ...spec, tiles: DEFAULT_TILES })).not.toThrow();
    expect(() => checkTiles({ ...spec, tiles: { ...DEFAULT_TILES, bn: 128, tn: 4 } })).toThrow(/invocations/);
    expect(() => checkTiles({ ...spec, tiles: { ...DEFAULT_TILES, bm: 128, bn: 128, tm: 8, tn: 8, bk: 16 } })).toThrow(/workgroup memory/);
    expect(() => checkTiles({ ...spec, subgroups: true, tiles: { ...DEFAULT_TILES, bm: 128, bn: 128, tm: 8, tn: 8, bk: 16 } })).not.toThrow();
  });
});

describe.skipIf(!gpu)('tiled matmul kernel (WebGPU)', () => {
  it('equals tf.matMul for all transposes and odd, unit and multiple-of-4 sizes (plain variant)', async () => {
    const r = await compare([...ALL, shapes(67, 45, 36, false, false)], plain); // + vec4 A with scalar B and C
    expectAll(r);
    console.log(`plain: max err ${Math.max(...r.map((x) => x.err)).toExponential(2)} over ${r.length} cases`);
  });

  it.skipIf(!hasSubgroups)('equals tf.matMul with the subgroup variant, whose plain path does not run', async () => {
    const r = await compare(ALL, sg);
    expectAll(r);
    console.log(`subgroups: max err ${Math.max(...r.map((x) => x.err)).toExponential(2)} over ${r.length} cases`);
  });

  it.skipIf(!hasSubgroups)("is right on the subgroup variant's plain path too", async () => {
    expectAll(await compare([shapes(67, 45, 33, true, true), shapes(200, 132, 300, false, false), shapes(68, 92, 36, false, false, [3], [1])], { ...sg, fallback: 'force' }));
  });

  it('handles batches and broadcast batches', async () => {
    expectAll(await compare(BATCHED, plain));
    if (hasSubgroups) expectAll(await compare(BATCHED, sg));
  });

  it('splits K into partial sums and adds them (vec4 and scalar sum)', async () => {
    const cases = [shapes(64, 64, 300, true, false), shapes(37, 45, 299, false, true), shapes(60, 68, 256, false, false, [2], [])];
    const split: MatMulOptions = { minWorkgroups: 64, minSplitK: 32 };
    for (const c of cases) expect(planMatMul(c.a, c.b, c.ta, c.tb, { ...plain, ...split })!.splits).toBeGreaterThan(2);
    expectAll(await compare(cases, { ...plain, ...split }));
    if (hasSubgroups) expectAll(await compare(cases, { ...sg, ...split }));
  });

  it('production tiles (128×64 of 8×4), 128×128 of 8×8, 32-deep K steps, and no prefetch', async () => {
    const nn = shapes(200, 132, 300, false, false);
    const tt = shapes(67, 145, 33, true, true);
    expectAll(await compare([nn, tt], { ...plain, tiles: DEFAULT_TILES }));
    expectAll(await compare([nn], { ...plain, tiles: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, groupM: 8 } }));
    expectAll(await compare([nn], { ...plain, prefetch: false }));
    // 32-deep K steps (half the barriers; 25 KiB of workgroup memory): both tile layouts of each operand
    expectAll(await compare([nn, tt], { ...plain, tiles: parseTiles('128x64x32:8x4') }));
    if (!hasSubgroups) return;
    expectAll(await compare([nn], { ...sg, tiles: DEFAULT_TILES }));
    expectAll(await compare([tt], { ...sg, tiles: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, groupM: 8 } }));
    expectAll(await compare([tt], { ...sg, prefetch: false }));
  });

  it('registered as BatchMatMul: tf.matMul runs it, small matrices go to the stock kernel, unregister restores', async () => {
    const cases = [shapes(80, 96, 64, false, false), shapes(80, 96, 64, true, true, [2], [1]), shapes(32, 32, 20, false, false), shapes(60, 60, 36, false, true, [3], [3])];
    const inputs = cases.map((c, i) => [seeded(size(c.a), 40 + i), seeded(size(c.b), 50 + i)]);
    const want = cases.map((c, i) => tf.tidy(() => tf.matMul(tf.tensor(inputs[i][0], c.a), tf.tensor(inputs[i][1], c.b), c.ta, c.tb).dataSync()));
    unregisterSubgroupMatMul(); // setupBackend('webgpu') registered it: start from tfjs's own
    const stockFunc = tf.getKernel('BatchMatMul', 'webgpu').kernelFunc;
    expect(registerSubgroupMatMul({ tiles: hasSubgroups ? SMALL_SG : SMALL })).toBe(true);
    try {
      expect(tf.getKernel('BatchMatMul', 'webgpu').kernelFunc).not.toBe(stockFunc);
      const before = { ...matmulCalls };
      const got = await onWebgpu(() => cases.map((c, i) => tf.matMul(tf.tensor(inputs[i][0], c.a), tf.tensor(inputs[i][1], c.b), c.ta, c.tb)));
      expect(matmulCalls.ours - before.ours).toBe(2);
      expect(matmulCalls.stock - before.stock).toBe(2);
      cases.forEach((c, i) => expect(relErr(got[i], want[i]), JSON.stringify(c)).toBeLessThan(tol(64)));
    } finally {
      unregisterSubgroupMatMul();
    }
    expect(tf.getKernel('BatchMatMul', 'webgpu').kernelFunc).toBe(stockFunc);
    registerSubgroupMatMul(); // as setupBackend leaves it
  });

  it('gradients through tf.grads with the kernel registered equal the cpu backend', async () => {
    // every matmul of forward and backward has ≥ 4096 outputs, so all of them run the new kernel
    // (no broadcast batch: tfjs's BatchMatMul gradient does not reduce a broadcast operand's batch)
    const cases = [shapes(80, 96, 64, false, false), shapes(80, 96, 64, false, true), shapes(80, 96, 64, true, false, [2], [2]), shapes(80, 96, 64, true, true, [2], [2])];
    for (const c of cases) {
      const av = seeded(size(c.a), 7);
      const bv = seeded(size(c.b), 8);
      const out = tf.tidy(() => tf.matMul(tf.zeros(c.a), tf.zeros(c.b), c.ta, c.tb).shape);
      const wv = seeded(size(out), 9);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, c.ta, c.tb), tf.tensor(wv, out)));
      const want = tf.tidy(() => tf.grads(f)([tf.tensor(av, c.a), tf.tensor(bv, c.b)]).map((g) => g.dataSync()));
      registerSubgroupMatMul({ tiles: hasSubgroups ? SMALL_SG : SMALL });
      try {
        const before = matmulCalls.ours;
        const got = await onWebgpu(() => tf.grads(f)([tf.tensor(av, c.a), tf.tensor(bv, c.b)]));
        expect(matmulCalls.ours - before).toBe(3); // forward, dA and dB
        const [ea, eb] = [relErr(got[0], want[0]), relErr(got[1], want[1])];
        console.log(`grads ${c.ta ? 't' : 'n'}${c.tb ? 't' : 'n'}: dA err ${ea.toExponential(2)}, dB err ${eb.toExponential(2)}`);
        expect(ea, `dA ${JSON.stringify(c)}`).toBeLessThan(tol(96 * 2));
        expect(eb, `dB ${JSON.stringify(c)}`).toBeLessThan(tol(80 * 2));
      } finally {
        unregisterSubgroupMatMul();
      }
    }
  });
});

describe.skipIf(!gpu)('per-shape matmul choice (autotuning)', () => {
  it('records the shape classes a function calls, and a shape chosen for tfjs goes to the stock kernel', async () => {
    await tf.setBackend('webgpu');
    registerSubgroupMatMul(); // as setupBackend leaves it (earlier tests swap it out)
    try {
      const shapes = recordMatMulShapes(() =>
        tf.tidy(() => {
          tf.matMul(tf.ones([64, 96]), tf.ones([96, 80]));
          tf.matMul(tf.ones([64, 96]), tf.ones([80, 96]), false, true);
          tf.matMul(tf.ones([64, 96]), tf.ones([96, 80])); // same class again
        }),
      );
      expect(shapes.map(matMulShapeKey)).toEqual(['64x96·96x80', '64x96·80x96T']);
      chooseMatMul(shapes[0], false);
      const before = { ...matmulCalls };
      const r = tf.tidy(() => [tf.matMul(tf.ones([64, 96]), tf.ones([96, 80])), tf.matMul(tf.ones([64, 96]), tf.ones([80, 96]), false, true)]);
      expect(matmulCalls.stock - before.stock).toBe(1);
      expect(matmulCalls.ours - before.ours).toBe(1);
      expect((await r[0].data())[0]).toBe(96);
      expect((await r[1].data())[0]).toBe(96);
      tf.dispose(r);
      const summary = await tuneMatMulShapes(shapes, 1, TUNE_VARIANTS);
      expect(summary.note).toMatch(/^Versiflow's kernel for [0-2] of 2 shapes( \(tiles [0-9x:]+(\/sg)? ×[12](, [0-9x:]+(\/sg)? ×1)?\))?; other shapes [0-9x:]+(\/sg)?$/);
      // a shape class tuning did not see (a trimmed batch) runs the variant fastest over all shapes
      const unseenShape = { a: [32, 96], b: [96, 80], transposeA: false, transposeB: false };
      const overall = matMulChoice(unseenShape);
      expect(overall && TUNE_VARIANTS.includes(overall)).toBe(true);
      expect(summary.note).toContain(`other shapes ${formatVariant(overall as MatMulVariant)}`);
      for (const s of shapes) expect(matMulChoice(s) === false || TUNE_VARIANTS.includes(matMulChoice(s) as MatMulVariant)).toBe(true);
      const seen = tf.tidy(() => tf.matMul(tf.ones([32, 96]), tf.ones([96, 80])));
      expect(Array.from(await seen.data()).every((x) => x === 96)).toBe(true);
      seen.dispose();
      expect(summary.fusedMs).toBeGreaterThan(0);
      expect(summary.stockMs).toBeGreaterThan(0);
      // a shape can run other tiles than the configured ones, plain or with subgroups
      for (const subgroups of hasSubgroups ? [false, true] : [false]) {
        chooseMatMul(shapes[0], { tiles: parseTiles('64x64x16:4x4'), subgroups });
        const other = tf.tidy(() => tf.matMul(tf.ones([64, 96]), tf.ones([96, 80])));
        expect(Array.from(await other.data()).every((x) => x === 96)).toBe(true);
        other.dispose();
      }
      // a tile setting this device cannot run is skipped; none that can is an error naming the shape
      const tooBig = { tiles: parseTiles('128x128x64:8x8'), subgroups: false }; // > 16 KiB of workgroup memory
      const one = await tuneMatMulShapes(shapes.slice(0, 1), 1, [tooBig, { tiles: DEFAULT_TILES, subgroups: false }]);
      expect(one.note).toMatch(/^Versiflow's kernel for [01] of 1 shapes/);
      await expect(tuneMatMulShapes(shapes.slice(0, 1), 1, [tooBig])).rejects.toThrow(/^matmul 64x96·96x80: matmul tiles 128x128x64 8x8: \d+ bytes of workgroup memory/);
    } finally {
      chooseMatMul(null);
      expect(matMulChoice({ a: [32, 96], b: [96, 80], transposeA: false, transposeB: false })).toBeNull();
      await tf.setBackend('cpu');
    }
  });
});
