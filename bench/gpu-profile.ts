/**
 * Where a training step of the Poetru-75M shape spends its time on WebGPU: tf.profile of one step
 * at batch 32 (after a warm-up step), kernels aggregated by name, the top 20 printed with their
 * share. Bundled like bench/gpu.ts (scripts/gpu-bundle.sh → .gpu/profile.mjs).
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/adamw.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../src/model/gptConfig.ts';
import { gradientStep } from '../src/model/step.ts';
import { benchBatch } from './benchModel.ts';

const B = Number(process.env.PROFILE_BATCH ?? 32);
const backend = (process.env.PROFILE_BACKEND ?? 'webgpu') as 'webgpu';
const r = await setupBackend(backend);
console.log(`backend ${r.name}: ${r.device}`);
// PROFILE_FLAGS="WEBGPU_CPU_FORWARD=false,WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=200": tfjs flags to compare
for (const kv of (process.env.PROFILE_FLAGS ?? '').split(',').filter(Boolean)) {
  const [k, v] = kv.split('=');
  tf.env().set(k, v === 'true' ? true : v === 'false' ? false : Number(v));
  console.log(`flag ${k}=${v}`);
}
const c = resolveGptConfig({ vocabSize: 24000, context: 512, layers: 12, hidden: 640, heads: 8, kvHeads: 4, headDim: 80, ffn: 1728, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
const w = initWeights(c, 1);
const opt = new AdamW(w, new Set(paramSpecs(c).filter((p) => p.decay).map((p) => p.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const batch = benchBatch(0, B, c.context, c.vocabSize);
const step = async () => {
  const s = gradientStep(w, c, opt, batch, 1e-4, 0);
  await s.loss.data();
  tf.dispose([s.loss, s.gradNorm]);
};
await step();
const t0 = performance.now();
await step();
console.log(`one step B=${B}: ${(performance.now() - t0).toFixed(0)} ms wall (unprofiled)`);
if (process.env.PROFILE_ONLY_TIME) process.exit(0);
const info = await tf.profile(step);
const byName = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const e = byName.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n += 1;
  byName.set(k.name, e);
  total += ms;
}
console.log(`profiled: ${info.kernels.length} kernels, ${total.toFixed(0)} ms of kernel time`);
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ×${e.n}`);
}
