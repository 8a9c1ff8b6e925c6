import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('AdamW', () => {
  it('matches a hand-computed update over 2 steps (decay on the matrix only, no clipping)', () => {
    const opts = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 0 };
    const params = new Map([
      ['w', tf.variable(tf.tensor1d([1, -2]))],
      ['b', tf.variable(tf.tensor1d([0.5]))],
    ]);
    const opt = new AdamW(params, new Set(['w']), opts);
    const lr = 0.01;
    const g1 = { w: [0.1, -0.3], b: [2] };
    const g2 = { w: [0.2, 0.1], b: [-1] };
    // Step 1: m = 0.1 g, v = 0.01 g², m̂ = g, v̂ = g² → update = g/(|g| + eps) ≈ sign(g).
    // w: [1, −2]·(1 − 0.001) − 0.01·[1, −1] = [0.989, −1.988]; b: 0.5 − 0.01 = 0.49.
    // Step 2 (t = 2): m = 0.9 m1 + 0.1 g2, v = 0.99 v1 + 0.01 g2², m̂ = m/0.19, v̂ = v/(1 − 0.99²).
    const expected: Record<string, number[]> = { w: [], b: [] };
    for (const name of ['w', 'b'] as const) {
      expected[name] = g1[name].map((a, i) => {
        const b = g2[name][i];
        let p = name === 'w' ? [1, -2][i] : 0.5;
        const decay = name === 'w' ? 1 - lr * 0.1 : 1;
        p = p * decay - lr * (a / (Math.sqrt(a * a) + 1e-8));
        const m = 0.9 * 0.1 * a + 0.1 * b;
        const v = 0.99 * 0.01 * a * a + 0.01 * b * b;
        return p * decay - (lr * (m / 0.19)) / (Math.sqrt(v / (1 - 0.99 ** 2)) + 1e-8);
      });
    }
    const step = (g: { w: number[]; b: number[] }) => {
      const grads = { w: tf.tensor1d(g.w), b: tf.tensor1d(g.b) };
      tf.dispose([opt.apply(grads, lr), grads]);
    };
    step(g1);
    expect(Array.from(params.get('w')!.dataSync())).toEqual([expect.closeTo(0.989, 6), expect.closeTo(-1.988, 6)]);
    expect(params.get('b')!.dataSync()[0]).toBeCloseTo(0.49, 6);
    step(g2);
    expect(opt.t).toBe(2);
    Array.from(params.get('w')!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.w[i], 6));
    expect(params.get('b')!.dataSync()[0]).toBeCloseTo(expected.b[0], 6);
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it('clips the global gradient norm and returns the pre-clip norm', () => {
    const params = new Map([['w', tf.variable(tf.tensor1d([0, 0]))]]);
    const opt = new AdamW(params, new Set(), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 1 });
    const g = { w: tf.tensor1d([3, 4]) }; // norm 5 → scaled to [0.6, 0.8]
    const norm = opt.apply(g, 0.1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    expect(opt.m.get('w')!.dataSync()[0]).toBeCloseTo(0.1 * 0.6 * (1 - 1e-6 / 5), 6);
    tf.dispose([norm, g.w, ...params.values()]);
    opt.dispose();
  });
});
