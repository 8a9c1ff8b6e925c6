// Quick throughput probe: tokens/s of training steps for a few shapes on one backend.
// usage: npx tsx scripts/speed-probe.ts wasm
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/nn/adamw.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/nn/gpt.ts';
import { countParams, paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { gradientStep } from '../src/model/nn/step.ts';

const be = (process.argv[2] ?? 'wasm') as 'wasm';
console.log(await setupBackend(be));
const shapes = [
  { vocab_size: 256, context: 64, layers: 2, hidden: 128, heads: 4, batch_size: 8 },
  { vocab_size: 146, context: 128, layers: 4, hidden: 128, heads: 4, kv_heads: 2, batch_size: 16 },
  { vocab_size: 146, context: 64, layers: 3, hidden: 96, heads: 4, kv_heads: 2, batch_size: 16 },
  { vocab_size: 146, context: 64, layers: 4, hidden: 128, heads: 4, kv_heads: 2, batch_size: 16 },
];
for (const s of shapes) {
  const cfg = normalizeConfig(s);
  const c = resolveGptConfig({ ...cfg });
  const w = initWeights(c, 1);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((p) => p.decay).map((p) => p.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const B = cfg.batchSize, T = cfg.context;
  const x = Int32Array.from({ length: B * T }, (_, i) => i % c.vocabSize);
  const y = Int32Array.from({ length: B * T }, (_, i) => (i + 1) % c.vocabSize);
  const batch = { B, T, x, y, mask: new Float32Array(B * T).fill(1), tokens: B * T };
  const step = async () => { const r = gradientStep(w, c, opt, batch, 1e-3, 0); await r.loss.data(); tf.dispose([r.loss, r.gradNorm]); };
  await step();
  const N = 5; const t0 = performance.now();
  for (let i = 0; i < N; i++) await step();
  const dt = (performance.now() - t0) / 1000;
  console.log(JSON.stringify(s), 'params', countParams(c), 'tok/s', Math.round((N * B * T) / dt), 'ms/step', Math.round((dt * 1000) / N));
  w.forEach((v) => v.dispose()); opt.dispose();
}
