import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { GELU_KERNEL, geluKernelOn, useGeluKernel } from '../../../src/model/kernels/cpu/geluKernel.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { disposeWeights, gelu, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { BLOCK_VARIANTS, randomBatch, tiny } from '../nn/tiny.ts';

/** GELU's value and gradient (of Σ gelu(x)·w) with the kernels on or off. */
function valueAndGrad(x: tf.Tensor, w: tf.Tensor, form: 'exact' | 'tanh', kernel: boolean): { y: Float32Array; dx: Float32Array } {
  const was = useGeluKernel(kernel);
  try {
    return tf.tidy(() => {
      const y = gelu(x, form).dataSync() as Float32Array;
      const dx = tf.grad((a: tf.Tensor) => gelu(a, form).mul(w).sum())(x).dataSync() as Float32Array;
      return { y: y.slice(), dx: dx.slice() };
    });
  } finally {
    useGeluKernel(was);
  }
}

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('GELU kernels on wasm with the native runtime (nativeGelu.ts)', () => {
  let available = false;
  beforeAll(async () => {
    const r = await setupBackend('wasm');
    available = r.device.includes('onnxruntime');
  });
  afterEach(() => useGeluKernel(true));

  it('are registered wherever the native GEMM is', () => {
    expect(geluKernelOn()).toBe(available);
  });

  it.each([
    { form: 'exact' as const, shape: [1] },
    { form: 'exact' as const, shape: [7, 13] },
    { form: 'tanh' as const, shape: [3, 5, 67] },
    { form: 'tanh' as const, shape: [1] },
  ])('$form on $shape: value and gradient equal the composite ops', ({ form, shape }) => {
    if (!available) return;
    const n = shape.reduce((a, d) => a * d, 1);
    const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => 6 * Math.sin(i * 1.7) + (i % 3) - 1), shape); // −7…7: both tails and the middle
    const w = tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i)), shape);
    const kernel = valueAndGrad(x, w, form, true);
    const composite = valueAndGrad(x, w, form, false);
    expect(maxAbs(kernel.y, composite.y)).toBeLessThan(2e-6 * 7);
    expect(maxAbs(kernel.dx, composite.dx)).toBeLessThan(2e-5);
    // and they are GELU: gelu(0) = 0, gelu'(0) = 0.5, gelu(x) → x for large x
    const at = tf.tensor1d([0, 6]);
    const y0 = tf.tidy(() => gelu(at, form).dataSync());
    expect(y0[0]).toBe(0);
    expect(y0[1]).toBeCloseTo(6, 5);
    expect(tf.grad((a: tf.Tensor) => gelu(a, form).sum())(tf.tensor1d([0])).dataSync()[0]).toBeCloseTo(0.5, 6);
    tf.dispose([x, w, at]);
  });

  it('the kernel runs (tf.profile sees it) and an empty tensor passes through', async () => {
    if (!available) return;
    const info = await tf.profile(() => gelu(tf.ones([4, 8]), 'exact'));
    expect(info.kernelNames).toContain(GELU_KERNEL);
    expect(gelu(tf.zeros([0, 3]), 'tanh').shape).toEqual([0, 3]);
  });

  it.each(['layer norm with bias + learned positions + mha + gelu + biases + untied', 'rms + learned positions + mha + exact (erf) gelu (Mini-Tron)'])('20 training steps of %s: losses equal the composite ops to 1e-5', (variant) => {
    if (!available) return;
    const c = tiny(BLOCK_VARIANTS[variant]);
    const run = (kernel: boolean) => {
      const was = useGeluKernel(kernel);
      const w = initWeights(c, 4);
      const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
      const losses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 3, 6, 50 + (i % 5)), 3e-3, i);
        losses.push(loss.dataSync()[0]);
        tf.dispose([loss, gradNorm]);
      }
      opt.dispose();
      disposeWeights(w);
      useGeluKernel(was);
      return losses;
    };
    const on = run(true);
    const off = run(false);
    on.forEach((l, i) => expect(Math.abs(l - off[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(off[i]))));
    expect(on[19]).toBeLessThan(on[0]); // it trains
  });
});
