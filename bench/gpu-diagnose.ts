/**
 * What a training step asks of the WebGPU device, counted rather than timed: dispatches per
 * program, buffers created (pool misses) and their bytes, bytes written from the CPU, submits,
 * CPU hand-offs and reads, and the JavaScript time spent recording each phase (before the wait
 * for the GPU). Counts do not depend on the card, so they are measured on any adapter (Mesa's
 * lavapipe on a CPU included) and explain wall time that GPU kernel time does not.
 *   DIAG_BATCH=2,4 DIAG_SHAPE=small|75m DIAG_KERNELS=stock|fused node --import tsx bench/gpu-diagnose.ts
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/nn/adamw.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { batchLoss, gradientStep } from '../src/model/nn/step.ts';
import { benchBatch } from './benchModel.ts';

const r = await setupBackend('webgpu', { kernels: process.env.DIAG_KERNELS ?? 'auto' });
console.log(`backend ${r.name}: ${r.device}`);
const be = tf.backend() as unknown as Record<string, any>;
const counts = { all: 0, dispatch: 0, created: 0, createdBytes: 0, staged: 0, stagedBytes: 0, written: 0, writtenBytes: 0, submits: 0, cpuForward: 0, reads: 0 };
const byProgram = new Map<string, number>();
const dev = be.device;
const createBuffer = dev.createBuffer.bind(dev);
dev.createBuffer = (d: { size: number; usage: number }) => {
  // MAP_WRITE buffers are tfjs's staging copies of CPU data (a new one per upload); others are pool misses
  const staging = (d.usage & 2) !== 0;
  counts[staging ? 'staged' : 'created']++;
  counts[staging ? 'stagedBytes' : 'createdBytes'] += d.size;
  return createBuffer(d);
};
const queue = be.queue;
const writeBuffer = queue.writeBuffer.bind(queue);
queue.writeBuffer = (b: unknown, o: number, data: ArrayBuffer, ...rest: number[]) => {
  counts.written++;
  counts.writtenBytes += rest[1] ?? data.byteLength;
  return writeBuffer(b, o, data, ...rest);
};
const submit = queue.submit.bind(queue);
queue.submit = (c: unknown) => {
  counts.submits++;
  return submit(c);
};
const record = be.recordAndSubmit.bind(be);
be.recordAndSubmit = (program: { constructor: { name: string } }, ...rest: unknown[]) => {
  counts.dispatch++;
  const n = program.constructor.name;
  byProgram.set(n, (byProgram.get(n) ?? 0) + 1);
  return record(program, ...rest);
};
// every dispatch, tfjs's and Versiflow's fused kernels' (recorded outside recordAndSubmit)
const passProto = (globalThis as unknown as { GPUComputePassEncoder: { prototype: Record<string, (...a: unknown[]) => unknown> } }).GPUComputePassEncoder.prototype;
const dispatchWorkgroups = passProto.dispatchWorkgroups;
passProto.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
  counts.all++;
  return dispatchWorkgroups.apply(this, a);
};
const onCpu = be.shouldExecuteOnCPU.bind(be);
be.shouldExecuteOnCPU = (...a: unknown[]) => {
  const y = onCpu(...a);
  if (y) counts.cpuForward++;
  return y;
};
const read = be.read.bind(be);
be.read = (id: unknown) => {
  counts.reads++;
  return read(id);
};

const small = { vocabSize: 512, context: 64, layers: 2, hidden: 128, heads: 4, kvHeads: 2, headDim: 32, ffn: 256 };
const big = { vocabSize: 24000, context: 512, layers: 12, hidden: 640, heads: 8, kvHeads: 4, headDim: 80, ffn: 1728 };
const shape = process.env.DIAG_SHAPE === '75m' ? big : small;
const c = resolveGptConfig({ ...shape, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
const w = initWeights(c, 1);
const opt = new AdamW(w, new Set(paramSpecs(c).filter((p) => p.decay).map((p) => p.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const vars = [...w.values()];

async function phase(label: string, f: () => tf.Tensor): Promise<void> {
  for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] = 0;
  byProgram.clear();
  const t0 = performance.now();
  const out = f();
  const recorded = performance.now() - t0;
  await out.data();
  const wall = performance.now() - t0;
  out.dispose();
  const top = [...byProgram].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.DIAG_TOP ?? 6)).map(([n, k]) => `${n}×${k}`).join(' ');
  console.log(
    `${label.padEnd(28)} wall ${wall.toFixed(0).padStart(6)} ms, recording ${recorded.toFixed(0).padStart(6)} ms | dispatches ${counts.all} (tfjs ${counts.dispatch}), submits ${counts.submits}, ` +
      `new buffers ${counts.created} (${(counts.createdBytes / 2 ** 20).toFixed(1)} MiB), uploads ${counts.staged} (${(counts.stagedBytes / 2 ** 20).toFixed(2)} MiB), writes ${counts.written} (${(counts.writtenBytes / 2 ** 10).toFixed(1)} KiB), cpu hand-offs ${counts.cpuForward}, reads ${counts.reads}`,
  );
  console.log(`${''.padEnd(28)} ${top}`);
}

for (const B of (process.env.DIAG_BATCH ?? '2,4').split(',').map(Number)) {
  const batch = benchBatch(0, B, c.context, c.vocabSize);
  console.log(`-- B=${B} T=${c.context} (${shape === big ? '75m shape' : 'small shape'})`);
  for (let rep = 0; rep < 2; rep++) {
    await phase(`forward loss #${rep + 1}`, () => batchLoss(w, c, batch, false));
    await phase(`forward+backward #${rep + 1}`, () => {
      const { value, grads } = tf.variableGrads(() => batchLoss(w, c, batch, false), vars);
      tf.dispose(grads);
      return value;
    });
    await phase(`full step #${rep + 1}`, () => {
      const s = gradientStep(w, c, opt, batch, 1e-4, 0);
      s.gradNorm.dispose();
      return s.loss;
    });
  }
}
process.exit(0);
