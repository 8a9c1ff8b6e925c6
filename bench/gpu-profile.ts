/**
 * Where a training step of the Poetru-75M shape spends its time on WebGPU: tf.profile of one step
 * at batch 32 (after a warm-up step), kernels aggregated by name, the top 20 printed with their
 * share. Bundled like bench/gpu.ts (scripts/gpu-bundle.sh → .gpu/profile.mjs).
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/nn/adamw.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { batchLoss, gradientStep } from '../src/model/nn/step.ts';
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
// PROFILE_SMALL=1: a small model, to check the script itself on a CPU
const shape = process.env.PROFILE_SMALL
  ? { vocabSize: 512, context: 64, layers: 2, hidden: 640, heads: 8, kvHeads: 4, headDim: 80, ffn: 256 }
  : { vocabSize: 24000, context: 512, layers: 12, hidden: 640, heads: 8, kvHeads: 4, headDim: 80, ffn: 1728 };
const c = resolveGptConfig({ ...shape, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
const w = initWeights(c, 1);
const opt = new AdamW(w, new Set(paramSpecs(c).filter((p) => p.decay).map((p) => p.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const batch = benchBatch(0, B, c.context, c.vocabSize);
const step = async () => {
  const s = gradientStep(w, c, opt, batch, 1e-4, 0);
  await s.loss.data();
  tf.dispose([s.loss, s.gradNorm]);
};
await step();
if (process.env.PROFILE_BREAKDOWN) {
  // wall time of each phase, each ended by a read (sync point), 3 repetitions
  const timed = async (label: string, f: () => tf.Tensor) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const out = f();
      await out.data();
      ms.push(performance.now() - t);
      out.dispose();
    }
    console.log(`${label.padEnd(34)} ${ms.map((x) => x.toFixed(0).padStart(6)).join(' ')} ms`);
  };
  const vars = [...w.values()];
  await timed('upload batch + read 1 value', () => tf.tensor2d(batch.x, [B, c.context], 'int32').sum());
  await timed('forward loss', () => batchLoss(w, c, batch, false));
  await timed('forward + backward (grads)', () => {
    const { value, grads } = tf.variableGrads(() => batchLoss(w, c, batch, false), vars);
    tf.dispose(grads);
    return value;
  });
  await timed('forward + backward + AdamW', () => {
    const s = gradientStep(w, c, opt, batch, 1e-4, 0);
    s.gradNorm.dispose();
    return s.loss;
  });
  await timed('AdamW alone (zero grads)', () => {
    const grads: tf.NamedTensorMap = {};
    for (const [n, v] of w) grads[n] = tf.zerosLike(v);
    const norm = opt.apply(grads, 1e-4);
    tf.dispose(Object.values(grads));
    return norm;
  });
  // the tied head alone (x made beforehand: tf.randomNormal runs in JavaScript and would dominate)
  const x = tf.tidy(() => tf.randomNormal([B * c.context, c.hidden]));
  await x.data();
  await timed(`head matmul [${B * c.context}×${c.hidden}]·wteᵀ`, () => tf.tidy(() => x.matMul(w.get('wte')!, false, true).sum()));
  x.dispose();
  process.exit(0);
}
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
