import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { initWeights } from '../src/model/gpt.ts';
import { resolveGptConfig, countParams, paramSpecs } from '../src/model/gptConfig.ts';
import { AdamW } from '../src/model/adamw.ts';
import { gradientStep } from '../src/model/step.ts';
const be = process.argv[2] as any;
const rep = await setupBackend(be);
console.log(rep);
const c = resolveGptConfig({ vocabSize: 256, context: 64, layers: 2, hidden: 128, heads: 4, kvHeads: 0, headDim: 0, ffn: 0, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
console.log('params', countParams(c), c.ffn);
const w = initWeights(c, 1);
const decay = new Set(paramSpecs(c).filter(s => s.decay).map(s => s.name));
const opt = new AdamW(w, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const B = 8, T = 64;
const mk = () => { const x = new Int32Array(B*T), y = new Int32Array(B*T); for (let i=0;i<B*T;i++){x[i]=i%256; y[i]=(i+1)%256;} return { B, T, x, y, mask: new Float32Array(B*T).fill(1), tokens: B*T }; };
const batch = mk();
for (let i = 0; i < 3; i++) { const r = gradientStep(w, c, opt, batch, 1e-3, i); await r.loss.data(); tf.dispose([r.loss, r.gradNorm]); }
const n0 = tf.memory().numTensors;
const t0 = performance.now(); const N = 20; let last = 0;
for (let i = 0; i < N; i++) { const r = gradientStep(w, c, opt, batch, 1e-3, i); last = (await r.loss.data())[0]; if (i%5==0) console.log(i, last, (await r.gradNorm.data())[0]); tf.dispose([r.loss, r.gradNorm]); }
const dt = (performance.now() - t0) / 1000;
console.log(be, 'tok/s', (N*B*T/dt).toFixed(0), 'loss', last, 'tensors', n0, tf.memory().numTensors);
