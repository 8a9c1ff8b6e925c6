import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { autotune } from '../../../src/model/tuners/autotune.ts';
import { kernelsInUse, useKernels } from '../../../src/model/kernels/select.ts';

// autotune is backend-agnostic: `work` decides what "fused" and "stock" cost; here on the cpu backend
const a = tf.randomNormal([64, 64], 0, 1, 'float32', 1);
const on = () => kernelsInUse().includes('attention');
afterEach(() => useKernels('auto'));

describe('autotune', () => {
  it('keeps the fused kernel when its work is cheaper, and reports both timings', async () => {
    const r = await autotune('attention', () => [on() ? a.matMul(a) : Array.from({ length: 30 }, () => a.matMul(a)).reduce((x, y) => x.add(y))]);
    expect(r).toMatchObject({ kernel: 'attention', chosen: 'fused' });
    expect(r.stockMs).toBeGreaterThan(r.fusedMs);
    expect(on()).toBe(true);
  });

  it('turns the fused kernel off when the stock ops are cheaper', async () => {
    const r = await autotune('attention', () => [!on() ? a.matMul(a) : Array.from({ length: 30 }, () => a.matMul(a)).reduce((x, y) => x.add(y))]);
    expect(r.chosen).toBe('stock');
    expect(on()).toBe(false);
    expect(kernelsInUse()).toContain('adamw'); // the others untouched
  });

  it('keeps stock, with the reason, when the fused kernel cannot run here', async () => {
    const r = await autotune('attention', () => {
      if (on()) throw new Error('flashAttention: head dim 160 > 128');
      return [a.matMul(a)];
    });
    expect(r).toMatchObject({ chosen: 'stock', fusedMs: -1, error: 'flashAttention: head dim 160 > 128' });
    expect(on()).toBe(false);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await autotune('attention', () => [a.matMul(a).relu()]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
