import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../../../src/core/config/gptConfig.ts';
import { batchLoss, gradientStep } from '../../../src/model/nn/step.ts';
import { BLOCK_VARIANTS, randomBatch, tiny } from './tiny.ts';

const adamOpts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };

/** Builds a seeded model, takes `steps` gradient steps on one batch; returns the losses and disposes everything. */
function train(c: GptConfig, steps: number): { losses: number[]; after: number } {
  const w = initWeights(c, 21);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), adamOpts);
  const batch = randomBatch(c, 2, 6, 8);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { loss, gradNorm } = gradientStep(w, c, opt, batch, 1e-2, i);
    losses.push(loss.dataSync()[0]);
    tf.dispose([loss, gradNorm]);
  }
  const after = tf.tidy(() => batchLoss(w, c, batch).dataSync()[0]);
  opt.dispose();
  disposeWeights(w);
  return { losses, after };
}

describe.each(['cpu', 'wasm'] as const)('gradientStep on %s', (backend) => {
  it('leaks no tensors: numTensors equal after 3 more steps (after a warm-up step), dropout on', async () => {
    await setupBackend(backend);
    const c = tiny({ dropout: 0.1 });
    const w = initWeights(c, 1);
    const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), adamOpts);
    const batch = randomBatch(c, 2, 6, 2);
    const step = (i: number) => {
      const { loss, gradNorm } = gradientStep(w, c, opt, batch, 1e-3, i);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      tf.dispose([loss, gradNorm]);
    };
    step(0); // warm-up: caches the causal mask and the RoPE tables
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 3; i++) step(i);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    disposeWeights(w);
  });
});

describe('wasm against cpu', () => {
  // Same seeded weights (tfjs draws random numbers in JS, not in the backend) and batch, dropout 0.
  for (const [name, over] of Object.entries(BLOCK_VARIANTS)) {
    it(`gives the same loss before and after one step to 1e-4 relative (${name})`, async () => {
      const c = tiny({ ...over, initStd: 0.2 });
      await setupBackend('cpu');
      const cpu = train(c, 1);
      await setupBackend('wasm');
      expect(tf.getBackend()).toBe('wasm');
      const wasm = train(c, 1);
      expect(Math.abs(wasm.losses[0] - cpu.losses[0])).toBeLessThan(1e-4 * cpu.losses[0]);
      expect(Math.abs(wasm.after - cpu.after)).toBeLessThan(1e-4 * cpu.after);
      expect(cpu.after).toBeLessThan(cpu.losses[0]); // the step did something
    });
  }
});
