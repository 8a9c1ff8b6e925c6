import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { adamwUpdateWebgpu } from '../../../src/model/kernels/webgpu/adamw.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

describe.skipIf(!gpu)('fused AdamW kernel (WebGPU)', () => {
  it('matches the stock AdamW on the cpu backend over three steps, with clipping, decay and an odd size', async () => {
    const opts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 0.5 };
    const shapes: Record<string, number[]> = { a: [37, 16], b: [13] }; // vec4 path and scalar path
    const init = (k: string, i: number) => seeded(shapes[k].reduce((x, y) => x * y), 10 + i);
    const grad = (k: string, i: number, step: number) => seeded(shapes[k].reduce((x, y) => x * y), 100 * step + i, 0.3);
    // reference: the stock optimizer on cpu
    const ref = new Map(Object.keys(shapes).map((k, i) => [k, tf.variable(tf.tensor(init(k, i), shapes[k]))]));
    const stock = new AdamW(ref, new Set(['a']), opts);
    for (let s = 1; s <= 3; s++) {
      const grads = Object.fromEntries(Object.keys(shapes).map((k, i) => [k, tf.tensor(grad(k, i, s), shapes[k])]));
      stock.apply(grads, 0.01).dispose();
      tf.dispose(Object.values(grads));
    }
    const want = Object.keys(shapes).map((k) => ref.get(k)!.dataSync());
    const wantM = Object.keys(shapes).map((k) => stock.m.get(k)!.dataSync());
    // the fused kernel on webgpu, driven by hand with the same hyper-parameters
    const got = await onWebgpu(() => {
      const p = Object.keys(shapes).map((k, i) => tf.variable(tf.tensor(init(k, i), shapes[k])));
      const m = p.map((x) => tf.variable(tf.zerosLike(x)));
      const v = p.map((x) => tf.variable(tf.zerosLike(x)));
      for (let s = 1; s <= 3; s++) {
        const g = Object.keys(shapes).map((k, i) => tf.tensor(grad(k, i, s), shapes[k]));
        const norm = tf.sqrt(tf.addN(g.map((x) => x.square().sum())));
        const scale = tf.minimum(1, tf.div(opts.gradClip, norm.add(1e-6))) as tf.Scalar;
        g.forEach((gi, i) => {
          const decay = i === 0 ? 1 - 0.01 * opts.weightDecay : 1;
          adamwUpdateWebgpu(p[i], gi, m[i], v[i], scale, { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay, bc1: 1 - 0.9 ** s, bc2: 1 - 0.95 ** s });
        });
        tf.dispose([...g, norm, scale]);
      }
      return [...p, ...m];
    });
    for (let i = 0; i < 2; i++) {
      expect(maxRelErr(got[i], want[i])).toBeLessThan(1e-5);
      expect(maxRelErr(got[2 + i], wantM[i])).toBeLessThan(1e-5);
    }
  });

  it('gives a variable that shares its buffer with another tensor a buffer of its own', async () => {
    const [shared, param] = await onWebgpu(() => {
      const t = tf.ones([8]);
      const p = tf.variable(t); // shares t's buffer
      const m = tf.variable(tf.zeros([8]));
      const v = tf.variable(tf.zeros([8]));
      adamwUpdateWebgpu(p, tf.ones([8]), m, v, tf.scalar(1), { lr: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 1, bc1: 0.1, bc2: 0.05 });
      return [t, p];
    });
    expect([...shared]).toEqual(new Array(8).fill(1));
    expect(param[0]).toBeCloseTo(0.9, 5);
  });

  it('gated (the step guard): flag 0 leaves p, m and v untouched even with a NaN gradient; flag 1 is the ungated update; AdamW.apply with a gate skips a NaN step', async () => {
    const hyper = { lr: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 0.99, bc1: 0.1, bc2: 0.05 };
    const n = 37 * 4 + 3; // vec4 path for p4, scalar path for p3
    const got = await onWebgpu(() => {
      const mk = (k: number, size: number) => [tf.variable(tf.tensor1d(seeded(size, 1 + k))), tf.variable(tf.tensor1d(seeded(size, 2 + k, 0.1))), tf.variable(tf.tensor1d(seeded(size, 3 + k, 0.01).map(Math.abs)))];
      const [skip4, skip3, gated4, plain4] = [mk(0, 148), mk(0, n), mk(0, 148), mk(0, 148)];
      const nan4 = tf.fill([148], NaN);
      const nan3 = tf.fill([n], NaN);
      const g4 = tf.tensor1d(seeded(148, 9, 0.3));
      adamwUpdateWebgpu(skip4[0], nan4, skip4[1], skip4[2], tf.tensor1d([1, 0]), hyper, true);
      adamwUpdateWebgpu(skip3[0], nan3, skip3[1], skip3[2], tf.tensor1d([1, 0]), hyper, true);
      adamwUpdateWebgpu(gated4[0], g4, gated4[1], gated4[2], tf.tensor1d([0.5, 1]), hyper, true);
      adamwUpdateWebgpu(plain4[0], g4, plain4[1], plain4[2], tf.scalar(0.5), hyper);
      // the optimizer path: a gate that rejects the NaN step
      const params = new Map([['w', tf.variable(tf.tensor1d(seeded(148, 1)))]]);
      const opt = new AdamW(params, new Set(['w']), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
      opt.apply({ w: nan4 }, 0.1, (norm) => tf.isFinite(norm) as tf.Scalar).dispose();
      return [...skip4, ...skip3, ...gated4, ...plain4, params.get('w')!, opt.m.get('w')!];
    });
    const init = (k: number, size: number) => [seeded(size, 1 + k), seeded(size, 2 + k, 0.1), seeded(size, 3 + k, 0.01).map(Math.abs)];
    for (let i = 0; i < 3; i++) expect(got[i]).toEqual(init(0, 148)[i]);
    for (let i = 0; i < 3; i++) expect(got[3 + i]).toEqual(init(0, n)[i]);
    for (let i = 0; i < 3; i++) expect(got[6 + i]).toEqual(got[9 + i]);
    expect(got[12]).toEqual(seeded(148, 1));
    expect(got[13]).toEqual(new Float32Array(148));
  });

  it('a parameter read before the in-place update reads the updated values after it (no stale CPU copy)', async () => {
    await tf.setBackend('webgpu');
    try {
      const init = tf.ones([2048]).add(0); // computed on the GPU (above tfjs's 1,000-element CPU hand-off): it lives in a GPU buffer
      const p = tf.variable(init);
      init.dispose(); // p owns its buffer: the update writes it in place
      const m = tf.variable(tf.zeros([2048]));
      const v = tf.variable(tf.zeros([2048]));
      expect((await p.data())[0]).toBe(1); // tfjs now holds a CPU copy of p
      adamwUpdateWebgpu(p, tf.ones([2048]), m, v, tf.scalar(1), { lr: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 1, bc1: 0.1, bc2: 0.05 });
      expect((await p.data())[0]).toBeCloseTo(0.9, 5);
      expect((await m.data())[0]).toBeCloseTo(0.1, 5);
      tf.dispose([p, m, v]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe.skipIf(!gpu)('fused kernels under tf.time / tf.profile', () => {
  it('report their GPU time (timestamp queries) like tfjs kernels', async () => {
    await tf.setBackend('webgpu');
    try {
      // variables owning their buffers (initial tensors disposed): only the fused kernel runs in tf.time
      const [p, m, v] = tf.tidy(() => [tf.variable(tf.randomNormal([64, 256])), tf.variable(tf.zeros([64, 256])), tf.variable(tf.zeros([64, 256]))]);
      const g = tf.randomNormal([64, 256]);
      const s = tf.scalar(1);
      const hyper = { lr: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 1, bc1: 0.1, bc2: 0.05 };
      const hasTimestamps = (tf.backend() as unknown as { supportTimestampQuery: boolean }).supportTimestampQuery;
      const info = await tf.time(() => adamwUpdateWebgpu(p, g, m, v, s, hyper));
      if (hasTimestamps) expect(info.kernelMs as number).toBeGreaterThan(0);
      const after = await p.data(); // the queue still works after the timed pass
      expect(after.length).toBe(64 * 256);
      tf.dispose([p, m, v, g, s]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
