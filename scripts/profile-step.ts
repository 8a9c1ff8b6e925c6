// Per-kernel time of one training step of the issue-5 CPU model (tf.profile, 5 steps):
// `node --import tsx scripts/profile-step.ts wasm 1` (backend, wasm threads). Dev tool.
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/nn/gpt.ts';
import { resolveGptConfig, paramSpecs } from '../src/model/nn/gptConfig.ts';
import { AdamW } from '../src/model/nn/adamw.ts';
import { gradientStep } from '../src/model/nn/step.ts';
console.log((await setupBackend((process.argv[2] ?? 'wasm') as any, { wasmThreads: Number(process.argv[3] ?? 1) })).device);
const c = resolveGptConfig({ vocabSize: 256, context: 64, layers: 2, hidden: 128, heads: 4, kvHeads: 0, headDim: 0, ffn: 0, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
const w = initWeights(c, 1);
const decay = new Set(paramSpecs(c).filter(s => s.decay).map(s => s.name));
const opt = new AdamW(w, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const B = 8, T = 64;
const x = new Int32Array(B*T), y = new Int32Array(B*T); for (let i=0;i<B*T;i++){x[i]=(i*7)%256; y[i]=(i*7+1)%256;}
const batch = { B, T, x, y, mask: new Float32Array(B*T).fill(1), tokens: B*T };
for (let i = 0; i < 3; i++) { const r = gradientStep(w, c, opt, batch, 1e-3, i); await r.loss.data(); tf.dispose([r.loss, r.gradNorm]); }
const agg = new Map<string, { ms: number; n: number }>();
let total = 0;
const N = 5;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const info = await tf.profile(async () => { const r = gradientStep(w, c, opt, batch, 1e-3, i); await r.loss.data(); tf.dispose([r.loss, r.gradNorm]); });
  for (const k of info.kernels) {
    const ms = k.kernelTimeMs as number;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const name = k.name === "BatchMatMul" ? key : k.name;
    const a = agg.get(name) ?? { ms: 0, n: 0 }; a.ms += ms; a.n++; agg.set(name, a);
    total += ms;
  }
}
const wall = performance.now() - t0;
console.log(`wall/step ${(wall / N).toFixed(1)} ms, kernel sum/step ${(total / N).toFixed(1)} ms`);
for (const [k, a] of [...agg].sort((p, q) => q[1].ms - p[1].ms).slice(0, 30)) console.log(k.padEnd(28), (a.ms / N).toFixed(2).padStart(8), 'ms', String(a.n / N).padStart(5), 'calls');
