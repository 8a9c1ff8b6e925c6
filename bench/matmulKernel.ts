/**
 * tfjs's stock webgpu BatchMatMul against the tiled kernel of src/model/kernels/webgpu/matmul.ts
 * (plain variant, and the subgroup variant where the device has `subgroups`), on the matmuls of a
 * training step of the 75M GPT (hidden 640, KV 320, FFN 1728 (gate+up 3456), vocab 24000 tied head,
 * B·T = 16384 rows, attention as [B·KV, 1024, 80]·[B·KV, 512, 80]ᵀ) and their backward forms.
 * Each rep records ITERS matmuls and ends with `await` of a 1-element slice of the last one; the
 * median rep over REPS (after a warm-up) gives ms per matmul and TFLOP/s (2·batch·M·N·K / time).
 * Error: max |ours − stock| / max |stock|, computed on the device.
 *   node --import tsx bench/matmulKernel.ts
 *   MATMUL_SMALL=1      small shapes (Mesa lavapipe on a CPU: proves it runs; not GPU figures)
 *   MATMUL_REPS=5 MATMUL_ITERS=3   reps and matmuls per rep
 *   MATMUL_TILES=128x64x16:8x4,128x128x16:8x8   tile configs (bm x bn x bk : tm x tn), first = default
 *   MATMUL_PREFETCH=on|off|both   register prefetch of the next K tile (default on)
 *   MATMUL_ONLY=head    run the shapes whose name contains this
 */
import * as tf from '@tensorflow/tfjs';
import { installNavigatorGpu } from '../src/model/backend/webgpuSetup.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { webgpuInternals } from '../src/model/kernels/webgpu/dispatch.ts';
import { checkTiles, DEFAULT_TILES, type MatMulTiles, parseTiles } from '../src/model/kernels/webgpu/matmul.ts';
import { matMulWebgpu, planMatMul, type MatMulOptions } from '../src/model/kernels/webgpu/matmulKernel.ts';

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const small = process.env.MATMUL_SMALL === '1';
const REPS = Number(process.env.MATMUL_REPS ?? (small ? 3 : 5));
const ITERS = Number(process.env.MATMUL_ITERS ?? (small ? 1 : 3));
const only = process.env.MATMUL_ONLY ?? '';
const prefetchModes = { on: [true], off: [false], both: [true, false] }[process.env.MATMUL_PREFETCH ?? 'on'] ?? [true];

await installNavigatorGpu({ allowSoftware: true }); // lavapipe too (the sweep rehearses on it)
const report = await setupBackend('webgpu', { kernels: 'stock' });
const device = webgpuInternals(tf.backend()).device;
const hasSg = device.features.has('subgroups');
console.log(`backend ${report.name}: ${report.device}; subgroups feature: ${hasSg}${small ? ' — MATMUL_SMALL: CPU-emulated figures are not GPU figures' : ''}`);

// sizes: rows B·T, hidden, kv width, ffn, gate+up, vocab, attention batch B·KV, query rows, keys, head dim
const D = small
  ? { R: 512, C: 64, KV: 32, F: 88, F2: 176, V: 600, AB: 4, TQ: 64, TK: 32, HD: 20 }
  : { R: 16384, C: 640, KV: 320, F: 1728, F2: 3456, V: 24000, AB: 128, TQ: 1024, TK: 512, HD: 80 };

interface Shape {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly ta: boolean;
  readonly tb: boolean;
}
const mm = (name: string, M: number, N: number, K: number, ta: boolean, tb: boolean, batch: number[] = []): Shape => ({
  name,
  a: [...batch, ...(ta ? [K, M] : [M, K])],
  b: [...batch, ...(tb ? [N, K] : [K, N])],
  ta,
  tb,
});
const SHAPES: Shape[] = [
  mm('fwd x·Wq/Wo', D.R, D.C, D.C, false, false),
  mm('fwd x·Wkv', D.R, D.KV, D.C, false, false),
  mm('fwd x·Wup', D.R, D.F2, D.C, false, false),
  mm('fwd h·Wdown', D.R, D.C, D.F, false, false),
  mm('fwd head x·Eᵀ', D.R, D.V, D.C, false, true),
  mm('dX dy·Wqᵀ', D.R, D.C, D.C, false, true),
  mm('dX dy·Wupᵀ', D.R, D.C, D.F2, false, true),
  mm('dX dy·Wdownᵀ', D.R, D.F, D.C, false, true),
  mm('dX head dy·E', D.R, D.C, D.V, false, false),
  mm('dW xᵀ·dy 640²', D.C, D.C, D.R, true, false),
  mm('dW xᵀ·dy kv', D.C, D.KV, D.R, true, false),
  mm('dW xᵀ·dy up', D.C, D.F2, D.R, true, false),
  mm('dW hᵀ·dy down', D.F, D.C, D.R, true, false),
  mm('dE head dyᵀ·x', D.V, D.C, D.R, true, false),
  mm('attn q·kᵀ', D.TQ, D.TK, D.HD, false, true, [D.AB]),
  mm('attn p·v', D.TQ, D.HD, D.TK, false, false, [D.AB]),
  mm('attn dv pᵀ·do', D.TK, D.HD, D.TQ, true, false, [D.AB]),
].filter((s) => s.name.includes(only));

const tileList = process.env.MATMUL_TILES ? process.env.MATMUL_TILES.split(',').map(parseTiles) : [DEFAULT_TILES];

interface Variant {
  readonly label: string;
  readonly opts: MatMulOptions;
}
const variants: Variant[] = [];
for (const tiles of tileList) {
  for (const sg of hasSg ? (['off', 'on'] as const) : (['off'] as const)) {
    for (const prefetch of prefetchModes) {
      const label = `${sg === 'on' ? 'subgroup' : 'plain'} ${tiles.bm}x${tiles.bn}x${tiles.bk}:${tiles.tm}x${tiles.tn}${prefetch ? '' : ' nopf'}`;
      try {
        const shared = (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxComputeWorkgroupStorageSize;
        checkTiles({ transposeA: false, transposeB: true, vecA: true, vecB: true, vecC: true, subgroups: sg === 'on', tiles }, shared);
        variants.push({ label, opts: { tiles, subgroups: sg, prefetch, minOutputs: 0 } });
      } catch (e) {
        console.log(`skip ${label}: ${(e as Error).message}`);
      }
    }
  }
}

async function sync(y: tf.Tensor): Promise<void> {
  const last = tf.tidy(() => tf.slice(tf.reshape(y, [-1]), [y.size - 1], [1]));
  await last.data();
  last.dispose();
}

/** Median ms per matmul of `f` over REPS reps of ITERS calls, after a warm-up rep. */
async function time(f: () => tf.Tensor): Promise<number> {
  const rep = async () => {
    const t0 = performance.now();
    let y: tf.Tensor | null = null;
    for (let i = 0; i < ITERS; i++) {
      y?.dispose();
      y = f();
    }
    await sync(y!);
    y!.dispose();
    return (performance.now() - t0) / ITERS;
  };
  await rep();
  const ms: number[] = [];
  for (let r = 0; r < REPS; r++) ms.push(await rep());
  ms.sort((x, y) => x - y);
  return ms[Math.floor(ms.length / 2)];
}

const pad = (s: string, n: number) => s.padEnd(n);
const fmt = (ms: number, flop: number) => `${ms.toFixed(3).padStart(9)} ms ${(flop / ms / 1e9).toPrecision(3).padStart(7)} TF/s`;
console.log(`reps ${REPS} × ${ITERS} matmuls; variants: stock, ${variants.map((v) => v.label).join(', ')}`);
const totals = new Map<string, number>([['stock', 0]]);
for (const s of SHAPES) {
  const outer = s.a.slice(0, -2).reduce((x, y) => x * y, 1);
  const M = s.ta ? s.a[s.a.length - 1] : s.a[s.a.length - 2];
  const K = s.ta ? s.a[s.a.length - 2] : s.a[s.a.length - 1];
  const N = s.tb ? s.b[s.b.length - 2] : s.b[s.b.length - 1];
  const flop = 2 * outer * M * N * K;
  const a = tf.randomUniform(s.a, -1, 1, 'float32', 1);
  const b = tf.randomUniform(s.b, -1, 1, 'float32', 2);
  const stockMs = await time(() => tf.matMul(a, b, s.ta, s.tb));
  totals.set('stock', totals.get('stock')! + stockMs);
  const ref = tf.matMul(a, b, s.ta, s.tb);
  const refMax = tf.max(tf.abs(ref));
  const lines = [`${pad(s.name, 18)} [${s.a}]${s.ta ? 'ᵀ' : ''}·[${s.b}]${s.tb ? 'ᵀ' : ''}  ${(flop / 1e9).toPrecision(3)} GFLOP`, `  ${pad('stock', 30)}${fmt(stockMs, flop)}`];
  for (const v of variants) {
    const run = () => tf.engine().makeTensorFromTensorInfo(matMulWebgpu(tf.backend(), a, b, s.ta, s.tb, v.opts)!);
    const ms = await time(run);
    totals.set(v.label, (totals.get(v.label) ?? 0) + ms);
    const y = run();
    const err = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(y, ref))), refMax));
    const e = (await err.data())[0];
    tf.dispose([y, err]);
    const splits = planMatMul(s.a, s.b, s.ta, s.tb, v.opts)!.splits;
    lines.push(`  ${pad(v.label, 30)}${fmt(ms, flop)}  ×${(stockMs / ms).toFixed(2)} vs stock  err ${e.toExponential(1)}${splits > 1 ? `  split-K ${splits}` : ''}`);
  }
  tf.dispose([a, b, ref, refMax]);
  console.log(lines.join('\n'));
}
console.log(`\nsum over the shapes (ms, one of each): ${[...totals].map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(' | ')}`);
process.exit(0);
