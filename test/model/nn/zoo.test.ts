import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_DIR, loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { countParams, paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { batchLoss, gradientStep } from '../../../src/model/nn/step.ts';
import { randomBatch } from './tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const SHIPPED = readdirSync(CONFIG_DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'tiny.yaml')
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe('published totals from the built model', () => {
  // Each big model is built once on cpu (up to 136M floats ≈ 0.5 GB) and disposed at once.
  const published: Record<string, number> = { '75m': 74_899_072, 'smollm2-135m': 134_515_008, 'gpt2-preln-136m': 136_128_000 };
  for (const [name, total] of Object.entries(published)) {
    it(`${name}: the variables after initWeights sum to ${total.toLocaleString('en')}, as countParams says`, () => {
      const c = resolveGptConfig(loadConfig(name));
      const w = initWeights(c, 1);
      let sum = 0;
      for (const v of w.values()) sum += v.size;
      const names = [...w.keys()];
      disposeWeights(w);
      expect(sum).toBe(total);
      expect(countParams(c)).toBe(total);
      expect(names).toEqual(paramSpecs(c).map((s) => s.name));
    });
  }
});

describe('each shipped config trains at reduced size', () => {
  it('ships the configs of issue 3', () => {
    const issue3 = ['25m', '75m', 'char-10m', 'classics-46m', 'french-40m', 'gpt2-preln-136m', 'minitron-48m', 'smollm2-135m'];
    expect(SHIPPED).toEqual(expect.arrayContaining(issue3));
  });

  for (const name of SHIPPED) {
    it(`${name}: 3 steps on one batch, loss finite and falling; variables = paramSpecs = countParams`, () => {
      const full = loadConfig(name);
      // Same blocks (norm, positions, attention kind, GQA or not, MLP kind, biases, tying, dropout,
      // init), smaller everything: 2 layers, width 32, 4 heads of 8, vocab 40, context 16.
      const gqa = full.kvHeads > 0 && full.kvHeads < full.heads;
      const c = resolveGptConfig({
        ...full,
        vocabSize: 40, context: 16, layers: 2, hidden: 32, heads: 4, kvHeads: gqa ? 2 : 0, headDim: 8, ffn: 48,
        kvLatent: full.attention === 'latent' ? 16 : 0,
      });
      expect(c).toMatchObject({ norm: full.norm, positions: full.positions, attention: full.attention, mlp: full.mlp, tied: full.tied, fusedGateUp: full.fusedGateUp });
      const w = initWeights(c, full.seed);
      let size = 0;
      for (const v of w.values()) size += v.size;
      expect(size).toBe(countParams(c));
      const decay = new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name));
      const opt = new AdamW(w, decay, { beta1: full.beta1, beta2: full.beta2, eps: full.adamEps, weightDecay: full.weightDecay, gradClip: full.gradClip });
      const batch = randomBatch(c, 2, 16, 1);
      const evalLoss = () => tf.tidy(() => batchLoss(w, c, batch).dataSync()[0]);
      const losses = [evalLoss()];
      for (let i = 0; i < 3; i++) {
        const { loss, gradNorm } = gradientStep(w, c, opt, batch, 3e-3, i);
        expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
        tf.dispose([loss, gradNorm]);
        losses.push(evalLoss());
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      for (let i = 1; i < losses.length; i++) expect(losses[i], `losses ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
      opt.dispose();
      disposeWeights(w);
    });
  }
});
