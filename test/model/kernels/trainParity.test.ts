import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { kernelsInUse, useKernels } from '../../../src/model/kernels/select.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import type { Batch } from '../../../src/core/batch.ts';
import { webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

// configs/tiny.yaml's architecture (RMSNorm, RoPE, GQA 4/2, SwiGLU, tied) with 75m's fused gate|up, shorter context for CI time
const c = resolveGptConfig({ vocabSize: 146, context: 32, layers: 3, hidden: 96, heads: 4, kvHeads: 2, headDim: 0, ffn: 0, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02, fusedGateUp: true });
// GPT-2 pre-LN blocks (LayerNorm with bias, learned positions, GELU MLP, MHA), as gpt2-preln-136m.yaml
const gpt2 = resolveGptConfig({ ...c, norm: 'layer', normBias: true, normEps: 1e-5, positions: 'learned', mlp: 'gelu', kvHeads: 4, fusedGateUp: false, ffn: 384 });

// separate gate and up matrices with biases (as smollm2-135m.yaml, plus mlp_bias): fused SwiGLU joins them
const split = resolveGptConfig({ ...c, fusedGateUp: false, mlpBias: true });

/** A learnable batch: each row walks the vocabulary with a row-dependent stride (the loss must fall). */
function patternBatch(k: number, B: number): Batch {
  const T = c.context;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < T; t++) {
      x[r * T + t] = (k * 31 + r * 17 + t * (1 + (r % 3))) % c.vocabSize;
      y[r * T + t] = (k * 31 + r * 17 + (t + 1) * (1 + (r % 3))) % c.vocabSize;
    }
  }
  return { B, T, x, y, mask: new Float32Array(B * T).fill(1), tokens: B * T };
}

/** Losses then grad norms of `steps` steps. */
async function curve(steps: number, cfg = c): Promise<number[]> {
  const c = cfg;
  const w = initWeights(c, 7);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const out: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = gradientStep(w, c, opt, patternBatch(i, 4), 3e-3, i);
    out.push((await r.loss.data())[0]);
    norms.push((await r.gradNorm.data())[0]);
    tf.dispose([r.loss, r.gradNorm]);
  }
  out.push(...norms);
  disposeWeights(w);
  opt.dispose();
  return out;
}

describe.skipIf(!gpu)('training on webgpu matches the CPU backend (issue 5: 20 steps within 1e-3)', () => {
  it('stock tfjs kernels and Versiflow fused kernels both track the wasm and cpu backends step for step', async () => {
    await tf.setBackend('cpu');
    const cpu = await curve(20); // tfjs's pure-JS backend: the reference
    await setupBackend('wasm');
    const ref = await curve(20);
    const cpuRel = Math.max(...cpu.map((l, i) => Math.abs(l - ref[i]) / ref[i]));
    console.info(`cpu vs wasm, 20 steps: max relative loss (and grad norm) difference ${cpuRel.toExponential(2)}`);
    expect(cpuRel).toBeLessThan(1e-4);
    const results: Record<string, number[]> = {};
    for (const kernels of ['stock', 'fused']) {
      useKernels(kernels);
      await tf.setBackend('webgpu');
      results[kernels] = await curve(20);
      await tf.setBackend('cpu');
    }
    useKernels('auto');
    expect(kernelsInUse().length).toBeGreaterThan(0);
    expect(ref[19]).toBeLessThan(ref[0] - 0.3); // it learns
    expect(Math.max(...ref.slice(20))).toBeGreaterThan(1); // the clip (1) is active: the grad norm matters
    for (const [k, losses] of Object.entries(results)) {
      for (const [name, base] of [['wasm', ref], ['cpu', cpu]] as const) {
        const rel = Math.max(...losses.map((l, i) => Math.abs(l - base[i]) / base[i]));
        console.info(`webgpu ${k} kernels vs ${name}, 20 steps: max relative loss (and grad norm) difference ${rel.toExponential(2)}; losses ${losses[0].toFixed(4)} → ${losses[19].toFixed(4)}`);
        expect(rel, `${k} vs ${name}: ${losses.map((x) => x.toFixed(4)).join(' ')} vs ${base.map((x) => x.toFixed(4)).join(' ')}`).toBeLessThan(1e-3);
      }
    }
  });

  for (const [name, cfg] of [
    ['GPT-2 pre-LN blocks (fused LayerNorm)', gpt2],
    ['separate gate and up matrices with biases (fused SwiGLU over the joined projection)', split],
  ] as const) {
    it(`${name} track the wasm backend too`, async () => {
      await setupBackend('wasm');
      const ref = await curve(12, cfg);
      useKernels('fused');
      await tf.setBackend('webgpu');
      const fused = await curve(12, cfg);
      await tf.setBackend('cpu');
      useKernels('auto');
      expect(ref[11]).toBeLessThan(ref[0]);
      const rel = Math.max(...fused.map((l, i) => Math.abs(l - ref[i]) / ref[i]));
      console.info(`${name}, webgpu fused kernels vs wasm, 12 steps: max relative loss (and grad norm) difference ${rel.toExponential(2)}`);
      expect(rel).toBeLessThan(1e-3);
    });
  }
});
