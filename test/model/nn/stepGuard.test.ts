import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { StepGuard } from '../../../src/model/nn/stepGuard.ts';
import { randomBatch, tiny } from './tiny.ts';

const adamOpts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };

/** Every weight and moment, copied to the host. */
function snapshot(w: Map<string, tf.Variable>, opt: AdamW): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of w) out.set(`p.${n}`, v.dataSync().slice() as Float32Array);
  for (const [n, v] of opt.m) out.set(`m.${n}`, v.dataSync().slice() as Float32Array);
  for (const [n, v] of opt.v) out.set(`v.${n}`, v.dataSync().slice() as Float32Array);
  return out;
}

const sameBits = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) => {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [k, x] of a) expect(Buffer.from(b.get(k)!.buffer).equals(Buffer.from(x.buffer)), k).toBe(true);
};

describe.each(['cpu', 'wasm'] as const)('step guard on %s', (backend) => {
  it('a step with a NaN gradient is not applied: weights and moments keep their bits; the next good step is applied; no tensors leak', async () => {
    await setupBackend(backend);
    const c = tiny();
    const w = initWeights(c, 5);
    const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), adamOpts);
    const guard = new StepGuard();
    const good = randomBatch(c, 2, 6, 3);
    const poisoned = { ...good, mask: good.mask.slice() };
    poisoned.mask[4] = NaN; // NaN loss, NaN in every gradient
    const step = (b: typeof good, i: number) => {
      const { loss, gradNorm } = gradientStep(w, c, opt, b, 1e-2, i, 0, guard);
      const out = [loss.dataSync()[0], gradNorm.dataSync()[0]];
      tf.dispose([loss, gradNorm]);
      return out;
    };
    step(good, 1);
    const before = snapshot(w, opt);
    const tensors = tf.memory().numTensors;
    const [badLoss, badNorm] = step(poisoned, 2);
    expect(badLoss).toBeNaN();
    expect(badNorm).toBeNaN();
    sameBits(snapshot(w, opt), before);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await guard.read()).toEqual({ skipped: 1, nonFinite: 1, spikes: 0, streak: 1, maxStreak: 1 });
    const [loss3] = step(good, 3);
    expect(Number.isFinite(loss3)).toBe(true);
    expect(w.get('wte')!.dataSync()).not.toEqual(before.get('p.wte'));
    expect(await guard.read()).toMatchObject({ skipped: 1, streak: 0, maxStreak: 1 }); // the run of one that was going on at the last read
    guard.dispose();
    opt.dispose();
    disposeWeights(w);
  });

  it('an infinite gradient given to AdamW.apply with a guard changes nothing; a finite one matches the unguarded update bit for bit', async () => {
    await setupBackend(backend);
    const make = () => new Map([['w', tf.variable(tf.tensor1d([1, -2, 3]))], ['b', tf.variable(tf.tensor1d([0.5]))]]);
    const [pa, pb] = [make(), make()];
    const [oa, ob] = [new AdamW(pa, new Set(['w']), adamOpts), new AdamW(pb, new Set(['w']), adamOpts)];
    const guard = new StepGuard();
    const apply = (o: AdamW, g: Record<string, number[]>, gated: boolean) => {
      const grads = { w: tf.tensor1d(g.w), b: tf.tensor1d(g.b) };
      const loss = tf.scalar(1);
      tf.dispose([o.apply(grads, 0.01, gated ? (n) => guard.gate(loss, n) : undefined), loss, ...Object.values(grads)]);
    };
    apply(oa, { w: [0.1, 0.2, -0.3], b: [1] }, true);
    apply(ob, { w: [0.1, 0.2, -0.3], b: [1] }, false);
    sameBits(snapshot(pa, oa), snapshot(pb, ob));
    const before = snapshot(pa, oa);
    apply(oa, { w: [Infinity, 0.2, -0.3], b: [1] }, true);
    sameBits(snapshot(pa, oa), before);
    expect((await guard.read()).nonFinite).toBe(1);
    guard.dispose();
    for (const o of [oa, ob]) o.dispose();
    tf.dispose([...pa.values(), ...pb.values()]);
  });

  it('loss_spike_factor: after its warm-up, a loss above factor × the running mean is skipped as a spike', async () => {
    await setupBackend(backend);
    const guard = new StepGuard({ spikeFactor: 2, spikeWarmup: 3 });
    const gate = (loss: number) => tf.tidy(() => guard.gate(tf.scalar(loss), tf.scalar(1)).dataSync()[0]);
    expect([2, 50, 2, 2].map(gate)).toEqual([1, 1, 1, 1]); // warm-up: the spike test is not armed yet
    const mean = (2 * 0.98 ** 3 * 0.02 + 50 * 0.98 ** 2 * 0.02 + 2 * 0.98 * 0.02 + 2 * 0.02) / (1 - 0.98 ** 4); // bias-corrected EMA
    expect(gate(mean * 2 * 1.01)).toBe(0);
    expect(gate(mean * 2 * 0.99)).toBe(1);
    expect(gate(NaN)).toBe(0);
    expect(await guard.read()).toEqual({ skipped: 2, nonFinite: 1, spikes: 1, streak: 1, maxStreak: 1 });
    guard.dispose();
  });
});
