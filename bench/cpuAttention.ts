/**
 * Tiled against stock attention on the wasm backend (issue #20): char-10m's shape (6 × 384, 6 heads
 * of 64, 10.8M parameters) trained at 8 × 256 and 1 × 1024, one training step (forward, backward,
 * clip, AdamW) at a time, the two paths alternating in one process so that load from other
 * processes hits both. Prints per shape each path's median step time (wall clock, and the process's
 * CPU time, which other jobs on the cores disturb less), tf.profile peak bytes of a step, and the
 * ratios tiled ÷ stock, with the machine's load average.
 * Run: `npm run bench -- cpu-attention` (BENCH_STEPS, default 3 timed steps a path after 1 warm-up;
 * BENCH_SHAPES, a comma list of rows×T such as 8x256,1x1024; BENCH_MATMUL, the wasm matmul engine:
 * auto, onnxruntime or xnnpack).
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { useTiledAttention } from '../src/model/kernels/select.ts';
import { AdamW } from '../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { gradientStep } from '../src/model/nn/step.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { type BenchInput, configInput, packageInput, wasmBinaries } from './inputs.ts';

export const ATTENTION_SHAPES = [
  { rows: 8, T: 256 },
  { rows: 1, T: 1024 },
] as const;

export function cpuAttentionInputs(): BenchInput[] {
  return [
    configInput('char-10m', 'the char-10m shape'),
    packageInput('@tensorflow/tfjs-backend-wasm', 'the wasm backend'),
    ...wasmBinaries('the wasm backend', ['tfjs-backend-wasm-simd.wasm']),
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function benchCpuAttention(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const steps = Number(process.env.BENCH_STEPS ?? 3);
  const shapes = process.env.BENCH_SHAPES
    ? process.env.BENCH_SHAPES.split(',').map((s) => {
        const [rows, T] = s.split('x').map(Number);
        return { rows, T };
      })
    : ATTENTION_SHAPES;
  const report = await setupBackend('wasm', { cpuMatmul: (process.env.BENCH_MATMUL ?? 'auto') as 'auto' });
  const cfg = loadConfig('char-10m');
  // learned positions: the table grows to the longest T measured
  const c = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 65, dropout: 0, context: Math.max(cfg.context, ...shapes.map((s) => s.T)) });
  log(`cpu-attention bench: char-10m (${c.layers} × ${c.hidden}, ${c.heads} heads of ${c.headDim}) training steps on ${report.device}`);
  log(`${steps} timed steps a path after 1 warm-up, alternating; peak = tf.profile peakBytes of one step`);
  log(
    `${'rows×T'.padEnd(8)} ${'stock ms'.padStart(9)} ${'tiled ms'.padStart(9)} ${'wall'.padStart(6)} ${'stock cpu'.padStart(10)} ${'tiled cpu'.padStart(10)} ${'cpu'.padStart(6)} ` +
      `${'stock MiB'.padStart(10)} ${'tiled MiB'.padStart(10)} ${'memory'.padStart(7)}  load`,
  );
  for (const { rows, T } of shapes) {
    const load0 = loadavg()[0];
    const w = initWeights(c, 1);
    const decay = new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name));
    const opt = new AdamW(w, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
    const x = new Int32Array(rows * T).map((_, i) => (i * 7 + 3) % c.vocabSize);
    const batch = { B: rows, T, x, y: x.map((v) => (v + 1) % c.vocabSize), mask: new Float32Array(rows * T).fill(1), tokens: rows * T };
    let k = 0;
    const step = (tiled: boolean) => {
      const was = useTiledAttention(tiled);
      try {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = gradientStep(w, c, opt, batch, 1e-4, k++, 0);
        r.loss.dataSync(); // sync point: the step has run
        tf.dispose([r.loss, r.gradNorm]);
        const used = process.cpuUsage(c0);
        return { wall: performance.now() - t0, cpu: (used.user + used.system) / 1000 };
      } finally {
        useTiledAttention(was);
      }
    };
    const peak = async (tiled: boolean) => {
      const before = tf.memory().numBytes;
      return (await tf.profile(() => void step(tiled))).peakBytes - before;
    };
    const peaks = { stock: await peak(false), tiled: await peak(true) }; // also the warm-up
    const times = { stock: [] as { wall: number; cpu: number }[], tiled: [] as { wall: number; cpu: number }[] };
    for (let i = 0; i < steps; i++) {
      times.stock.push(step(false));
      times.tiled.push(step(true));
    }
    opt.dispose();
    disposeWeights(w);
    const [ms, mt] = [median(times.stock.map((t) => t.wall)), median(times.tiled.map((t) => t.wall))];
    const [cs, ct] = [median(times.stock.map((t) => t.cpu)), median(times.tiled.map((t) => t.cpu))];
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    log(
      `${`${rows}×${T}`.padEnd(8)} ${ms.toFixed(0).padStart(9)} ${mt.toFixed(0).padStart(9)} ${`${(mt / ms).toFixed(2)}×`.padStart(6)} ` +
        `${cs.toFixed(0).padStart(10)} ${ct.toFixed(0).padStart(10)} ${`${(ct / cs).toFixed(2)}×`.padStart(6)} ` +
        `${mib(peaks.stock).padStart(10)} ${mib(peaks.tiled).padStart(10)} ${`${(peaks.tiled / peaks.stock).toFixed(2)}×`.padStart(7)}  ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}`,
    );
  }
}
