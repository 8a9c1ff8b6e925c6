/**
 * One CPU training-speed measurement of a zoo shape in a fresh process (wasm threads are fixed per
 * process): `node --import tsx bench/cpuProbe.ts '{"shape":"char-10m","threads":1,"batch":8,"context":256}'`.
 * Prints one JSON line: { shape, backend, device, params, tokensPerSec, msPerStep, firstLoss, lastLoss }.
 * The model is configs/<shape>.yaml with dropout 0 (as bench/reference/cpu_step.py); batches are
 * seeded pseudo-random tokens; each step is forward, backward, clip and AdamW, read back (a sync).
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { setupBackend, type BackendChoice } from '../src/model/backend/setupBackend.ts';
import { AdamW } from '../src/model/nn/adamw.ts';
import { initWeights, recomputeLayers } from '../src/model/nn/gpt.ts';
import { layersToRecompute } from '../src/model/nn/recomputePlan.ts';
import { cpuMemoryLimit, HEADROOM } from '../src/pipeline/train/memoryPlan.ts';
import { countParams, paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { gradientStep } from '../src/model/nn/step.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { benchBatch } from './benchModel.ts';

export interface CpuProbeOptions {
  readonly shape: string;
  readonly backend?: BackendChoice;
  readonly threads?: number;
  /** The wasm backend's matmul engine (config key cpu_matmul). @default 'auto' */
  readonly matmul?: 'auto' | 'onnxruntime' | 'xnnpack';
  readonly batch: number;
  readonly context: number;
  readonly steps?: number;
  readonly warmup?: number;
}

export interface CpuProbeResult {
  readonly shape: string;
  readonly backend: string;
  readonly device: string;
  readonly params: number;
  readonly tokensPerSec: number;
  readonly msPerStep: number;
  /** tokens/s of the fastest timed step (this shared machine's neighbours slow single steps by up to 2×). */
  readonly bestTokensPerSec: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  /** Blocks recomputed in the backward, of the model's layers ("1/6"), as the memory plan allows. */
  readonly recomputed: string;
}

export async function runCpuProbe(o: CpuProbeOptions): Promise<CpuProbeResult> {
  const report = await setupBackend(o.backend ?? 'wasm', { wasmThreads: o.threads ?? 1, cpuMatmul: o.matmul ?? 'auto' });
  const cfg = loadConfig(o.shape);
  const c = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 256, context: o.context, dropout: 0 });
  // blocks recomputed as a training run would (trainRun.ts): the fewest the memory plan allows
  const k = report.name === 'wasm' || report.name === 'cpu' ? layersToRecompute(c, o.batch, o.context, false, cpuMemoryLimit(report.name) * HEADROOM) : 0;
  recomputeLayers(k);
  const w = initWeights(c, 1);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const steps = o.steps ?? 3;
  const warmup = o.warmup ?? 1;
  let firstLoss = NaN;
  let lastLoss = NaN;
  let t0 = 0;
  let best = Infinity;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) t0 = performance.now();
    const ts = performance.now();
    const r = gradientStep(w, c, opt, benchBatch(i, o.batch, o.context, c.vocabSize), 1e-3, i);
    const loss = (await r.loss.data())[0];
    tf.dispose([r.loss, r.gradNorm]);
    if (i >= warmup) best = Math.min(best, performance.now() - ts);
    if (i === 0) firstLoss = loss;
    lastLoss = loss;
  }
  const sec = (performance.now() - t0) / 1000;
  return { shape: o.shape, backend: report.name, device: report.device, params: countParams(c), tokensPerSec: (steps * o.batch * o.context) / sec, msPerStep: (sec * 1000) / steps, bestTokensPerSec: (o.batch * o.context * 1000) / best, firstLoss, lastLoss, recomputed: `${Math.min(k, c.layers)}/${c.layers}` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runCpuProbe(JSON.parse(process.argv[2] ?? '{"shape":"char-10m","batch":8,"context":256}') as CpuProbeOptions);
  process.stdout.write(JSON.stringify(result) + '\n');
}
