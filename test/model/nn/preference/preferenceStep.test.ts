import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../../src/model/backend/setupBackend.ts';
import { AdamW } from '../../../../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../../../../src/model/nn/gpt.ts';
import { frozenCopy } from '../../../../src/model/nn/preference/frozenCopy.ts';
import { dpoStep, ktoStep, logpsOf, pairBatches, pairStats, type PreferencePair } from '../../../../src/model/nn/preference/preferenceStep.ts';
import { completionLengths } from '../../../../src/model/nn/preference/sequenceLogps.ts';
import { Rng } from '../../../../src/model/nn/rng.ts';
import { randomizeWeights } from '../ref64.ts';
import { tiny } from '../tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const c = tiny({ context: 12 });
/** 8 pairs: a random prompt over ids 1–4, chosen 5 6 7 8, rejected 9 10 9 10. */
function pairs(seed: number): PreferencePair[] {
  const rng = new Rng(seed);
  return Array.from({ length: 8 }, () => ({ prompt: Array.from({ length: 3 + rng.int(3) }, () => 1 + rng.int(4)), chosen: [5, 6, 7, 8], rejected: [9, 10, 9, 10] }));
}

/** Chosen-minus-rejected summed log-ratio gap (nats), and the per-token mean log-ratio, of policy vs reference. */
async function gap(policy: Map<string, tf.Variable>, ref: Map<string, tf.Variable>, ps: PreferencePair[]) {
  const parts = pairBatches(ps, c, { microBatch: 0, pad: 0 });
  const s = pairStats(await logpsOf(policy, c, parts), await logpsOf(ref, c, parts), parts.map(completionLengths), 1);
  return { gap: s.margin, accuracy: s.accuracy, meanLogratio: s.meanLogratio };
}

function setup() {
  const policy = initWeights(c, 5);
  randomizeWeights(policy, 21, 0.2);
  const ref = frozenCopy(policy);
  const opt = new AdamW(policy, new Set(), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 });
  return { policy, ref, opt, dispose: () => (disposeWeights(policy), disposeWeights(ref), opt.dispose()) };
}

describe('preference steps on a tiny model', () => {
  it('DPO widens the chosen-minus-rejected log-ratio gap; the reference stays frozen and outside the optimizer', async () => {
    const { policy, ref, opt, dispose } = setup();
    const ps = pairs(1);
    const before = await gap(policy, ref, ps);
    expect(before.gap).toBe(0); // the policy starts as the reference
    const ref0 = ref.get('wte')!.dataSync().slice();
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const r = await dpoStep(policy, ref, c, opt, ps, { beta: 0.1, labelSmoothing: 0, lr: 1e-2, seed: step, microBatch: 4, pad: 0 });
      losses.push(r.loss);
      if (step === 2) {
        const n = tf.memory().numTensors;
        await dpoStep(policy, ref, c, opt, ps, { beta: 0.1, labelSmoothing: 0, lr: 1e-2, seed: 99, microBatch: 4, pad: 0 });
        expect(tf.memory().numTensors).toBe(n); // no leak per step
      }
    }
    const after = await gap(policy, ref, ps);
    console.log(`DPO: loss ${losses.map((l) => l.toFixed(4)).join(' → ')}; gap ${before.gap} → ${after.gap.toFixed(3)} nats, accuracy ${after.accuracy}`);
    expect(losses[0]).toBeCloseTo(Math.log(2), 5);
    expect(after.gap).toBeGreaterThan(2);
    expect(after.accuracy).toBe(1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    expect(Array.from(ref.get('wte')!.dataSync())).toEqual(Array.from(ref0));
    expect(opt.m.size).toBe(policy.size);
    expect([...ref.values()].every((v) => !v.trainable)).toBe(true);
    dispose();
  });

  for (const referencePoint of ['ema', 'batch_kl'] as const) {
    it(`KTO (${referencePoint}) on the unpaired rows raises desirable and lowers undesirable log-ratios`, async () => {
      const { policy, ref, opt, dispose } = setup();
      const ps = pairs(2);
      // TRL unpairs n pairs into 2n rows: n desirable, n undesirable, interleaved
      const rows = ps.flatMap((p) => [{ prompt: p.prompt, completion: p.chosen, desirable: true }, { prompt: p.prompt, completion: p.rejected, desirable: false }]);
      let zRef = 0;
      const seen: string[] = [];
      const steps = referencePoint === 'ema' ? 4 : 2; // batch_kl: the same update path, fewer steps
      for (let step = 0; step < steps; step++) {
        const r = await ktoStep(policy, ref, c, opt, rows, { beta: 0.1, lambdaD: 1, lambdaU: 1, referencePoint, lengthNormalise: true, zRef, lr: 1e-2, seed: step, microBatch: 4, pad: 0 });
        if (step === 0) expect(r.loss).toBeCloseTo(0.5, 5); // policy = reference, z = 0: 1 − σ(0)
        if (step === 1) {
          const n = tf.memory().numTensors;
          await ktoStep(policy, ref, c, opt, rows, { beta: 0.1, lambdaD: 1, lambdaU: 1, referencePoint, lengthNormalise: true, zRef, lr: 1e-2, seed: 99, microBatch: 4, pad: 0 });
          expect(tf.memory().numTensors).toBe(n); // no leak per step
        }
        if (referencePoint === 'batch_kl') expect([r.kl! >= 0, r.zRef]).toEqual([true, undefined]);
        else expect([r.kl, r.z]).toEqual([undefined, Math.max(0, zRef)]);
        zRef = r.zRef ?? zRef;
        seen.push(`${r.loss.toFixed(4)} (margin ${r.margin.toFixed(3)}, z ${r.z!.toFixed(4)})`);
      }
      const after = await gap(policy, ref, ps);
      console.log(`KTO ${referencePoint}: ${seen.join(' → ')}; gap ${after.gap.toFixed(3)} nats, accuracy ${after.accuracy}`);
      expect(after.gap).toBeGreaterThan(2);
      expect(after.accuracy).toBe(1);
      dispose();
    });
  }
});
