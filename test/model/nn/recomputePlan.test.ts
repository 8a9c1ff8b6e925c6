import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { cpuTrainingMemory } from '../../../src/model/nn/cpuTrainingMemory.ts';
import { disposeWeights, initWeights, recomputeLayers } from '../../../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { fastestCpuStep, layersToRecompute, MIN_MICRO_TOKENS } from '../../../src/model/nn/recomputePlan.ts';
import { autoMicroBatch } from '../../../src/pipeline/train/memoryPlan.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { cpuMemoryLimit, HEADROOM } from '../../../src/pipeline/train/memoryPlan.ts';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { randomBatch, tiny } from './tiny.ts';

afterEach(() => {
  recomputeLayers(Infinity);
});

const zoo = (name: string, context: number) => {
  const cfg = loadConfig(name);
  return resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 256, context, dropout: 0 });
};
const WASM = cpuMemoryLimit('wasm') * HEADROOM;

describe('layersToRecompute', () => {
  it('recomputes none where everything fits, some where it nearly does, all where it must', () => {
    expect(layersToRecompute(zoo('tiny', 128), 16, 128, false, WASM)).toBe(0);
    // char-10m at 8 × 256: measured 1,703 MiB peak without recompute; the conservative estimate keeps one block recomputed
    const c10 = zoo('char-10m', 256);
    const k = layersToRecompute(c10, 8, 256, false, WASM);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(k).toBeLessThan(c10.layers);
    const c75 = zoo('75m', 512);
    const k75 = layersToRecompute(c75, 2, 512, true, WASM); // its plan's micro-batch: most blocks recomputed
    expect(k75).toBeGreaterThan(c75.layers / 2);
    expect(layersToRecompute(c75, 8, 512, true, WASM)).toBe(c75.layers); // past what fits at all: all of them
    // a budget just above the all-recomputed estimate: all of them
    const m = cpuTrainingMemory(c10, 8, 256, false);
    expect(layersToRecompute(c10, 8, 256, false, m.total + 1)).toBe(c10.layers);
  });

  it('never plans past the budget it was given', () => {
    const c = zoo('char-10m', 256);
    const m = cpuTrainingMemory(c, 4, 256, false);
    for (const budget of [m.total * 1.2, m.total * 2, m.total * 4, m.total * 8]) {
      const k = layersToRecompute(c, 4, 256, false, budget);
      const fewer = k > 0 ? layersToRecompute(c, 4, 256, false, budget * 0.999) : 0;
      expect(fewer).toBeGreaterThanOrEqual(k); // a smaller budget never recomputes fewer
    }
  });
});

describe('fastestCpuStep: micro-batch and blocks recomputed together', () => {
  it('trades a smaller micro-batch for fewer recomputed blocks, never below MIN_MICRO_TOKENS when something larger fits', () => {
    const plan = (name: string) => {
      const cfg = loadConfig(name);
      const c = zoo(name, cfg.context);
      const largest = autoMicroBatch(c, cfg.batchSize, cfg.context, 'wasm');
      return { cfg, c, largest, p: fastestCpuStep(c, cfg.batchSize, cfg.context, largest, WASM) };
    };
    const tinyPlan = plan('tiny');
    expect(tinyPlan.p).toEqual({ microBatch: 0, recompute: 0 }); // the whole batch, nothing recomputed
    const { cfg, c, largest, p } = plan('char-10m'); // 64 × 256: the plan's largest is 32 rows, all six recomputed
    expect(largest).toBe(32);
    expect(layersToRecompute(c, 32, 256, true, WASM)).toBe(c.layers);
    expect(p.microBatch).toBeLessThan(largest);
    expect(p.microBatch * cfg.context).toBeGreaterThanOrEqual(MIN_MICRO_TOKENS);
    expect(p.recompute).toBeLessThan(c.layers);
    expect(p.recompute).toBe(layersToRecompute(c, p.microBatch, 256, true, WASM)); // as few as fit that split
    // every choice fits the budget with its own recompute count
    for (const name of ['char-10m', '25m', '75m', 'minitron-48m', 'smollm2-135m']) {
      const q = plan(name);
      const rows = q.p.microBatch || q.cfg.batchSize;
      expect(rows).toBeLessThanOrEqual(q.largest || q.cfg.batchSize);
      expect(q.p.recompute).toBe(layersToRecompute(q.c, rows, q.cfg.context, rows < q.cfg.batchSize, WASM));
    }
  });
});

describe('recomputing only the first k blocks', () => {
  it('gives the losses of recomputing all of them and of none (wasm, 6 steps, 3 layers)', async () => {
    await setupBackend('wasm');
    const c = tiny({ layers: 3 });
    const run = (k: number) => {
      recomputeLayers(k);
      const w = initWeights(c, 8);
      const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
      const losses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 2, 6, 30 + i), 3e-3, i);
        losses.push(loss.dataSync()[0]);
        tf.dispose([loss, gradNorm]);
      }
      opt.dispose();
      disposeWeights(w);
      return losses;
    };
    const all = run(Infinity);
    for (const k of [0, 1, 2]) run(k).forEach((l, i) => expect(Math.abs(l - all[i])).toBeLessThan(1e-5 * Math.max(1, all[i])));
  });

  it('holds less memory the more blocks it recomputes', async () => {
    await setupBackend('wasm');
    const c = tiny({ layers: 4, hidden: 64, ffn: 128, heads: 4, kvHeads: 4, headDim: 16, context: 64 });
    const peak = async (k: number) => {
      recomputeLayers(k);
      const w = initWeights(c, 2);
      const opt = new AdamW(w, new Set(), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 });
      const info = await tf.profile(() => {
        const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 8, 64, 3), 1e-3, 0);
        tf.dispose([loss, gradNorm]);
      });
      opt.dispose();
      disposeWeights(w);
      return info.peakBytes;
    };
    const [none, two, all] = [await peak(0), await peak(2), await peak(Infinity)];
    expect(two).toBeLessThan(none);
    expect(all).toBeLessThan(two);
  });
});
