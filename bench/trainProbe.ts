/**
 * One training-speed measurement in a fresh process (a tfjs backend is chosen once per process):
 * `node --import tsx bench/trainProbe.ts '{"backend":"wasm","threads":2,"steps":20}'`.
 * Prints one JSON line: { backend, device, tokensPerSec, msPerStep, firstLoss, lastLoss }.
 * The model is the issue-5 CPU config: vocab 256, hidden 128, 2 layers, 4 heads, T=64, B=8,
 * RMSNorm + SwiGLU, AdamW; batches are seeded pseudo-random tokens, identical in every process.
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { AdamW } from '../src/model/nn/adamw.ts';
import { setupBackend, type BackendChoice } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/nn/gpt.ts';
import { paramSpecs } from '../src/model/nn/gptConfig.ts';
import { gradientStep } from '../src/model/nn/step.ts';
import { benchBatch, CPU_BENCH_CONFIG, cpuBenchGptConfig } from './benchModel.ts';

export interface ProbeOptions {
  readonly backend: BackendChoice;
  readonly threads?: number;
  /** false = the stock wasm kernels (no BatchMatMul replacement). */
  readonly fastKernels?: boolean;
  readonly steps?: number;
  readonly warmup?: number;
}

export interface ProbeResult {
  readonly backend: string;
  readonly device: string;
  readonly tokensPerSec: number;
  readonly msPerStep: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
}

export async function runProbe(o: ProbeOptions): Promise<ProbeResult> {
  const report = await setupBackend(o.backend, { wasmThreads: o.threads, wasmFastKernels: o.fastKernels });
  const c = cpuBenchGptConfig();
  const { B } = CPU_BENCH_CONFIG;
  const T = c.context;
  const w = initWeights(c, 1);
  const decay = new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name));
  const opt = new AdamW(w, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const steps = o.steps ?? 20;
  const warmup = o.warmup ?? 3;
  let firstLoss = NaN;
  let lastLoss = NaN;
  let t0 = 0;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) t0 = performance.now();
    const r = gradientStep(w, c, opt, benchBatch(i, B, T, c.vocabSize), 1e-3, i);
    const loss = (await r.loss.data())[0]; // sync point each step, as a training loop that logs
    tf.dispose([r.loss, r.gradNorm]);
    if (process.env.PROBE_DEBUG) process.stderr.write(`step ${i} loss ${loss} t ${performance.now().toFixed(0)}\n`);
    if (i === 0) firstLoss = loss;
    lastLoss = loss;
  }
  const sec = (performance.now() - t0) / 1000;
  return { backend: report.name, device: report.device, tokensPerSec: (steps * B * T) / sec, msPerStep: (sec * 1000) / steps, firstLoss, lastLoss };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runProbe(JSON.parse(process.argv[2] ?? '{"backend":"wasm"}') as ProbeOptions);
  process.stdout.write(JSON.stringify(result) + '\n');
}
