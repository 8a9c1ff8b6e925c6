import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelsInUse, useKernels } from '../../../src/model/kernels/select.ts';
import { tuneAttention } from '../../../src/model/tuners/tuneAttention.ts';
import { flashLanesWanted, setFlashLanes } from '../../../src/model/kernels/webgpu/flashAttention.ts';

// tuneAttention is backend-agnostic: `work` decides what each variant costs; here on the cpu backend,
// costed in matmuls of a 64×64 matrix (stock, and flash at 1, 2, 4 lanes per row)
const a = tf.randomNormal([64, 64], 0, 1, 'float32', 1);
const on = () => kernelsInUse().includes('attention');
const matmuls = (n: number) => [Array.from({ length: n }, () => a.matMul(a)).reduce((x, y) => x.add(y))];
const costed = (stock: number, byLanes: Record<number, number>) => () => matmuls(on() ? byLanes[flashLanesWanted()] : stock);
afterEach(() => {
  useKernels('auto');
  setFlashLanes(1);
});

describe('tuneAttention', () => {
  it('keeps flash attention at the lane count with the cheapest work, listing each', async () => {
    const r = await tuneAttention(costed(40, { 1: 20, 2: 1, 4: 10 }), [1, 2, 4]);
    expect(r).toMatchObject({ kernel: 'attention', chosen: 'fused' });
    expect(flashLanesWanted()).toBe(2);
    expect(on()).toBe(true);
    expect(r.note).toMatch(/^lanes per row 2 \(1: [\d.]+ ms, 2: [\d.]+ ms, 4: [\d.]+ ms\)$/);
    expect(r.fusedMs).toBeLessThan(r.stockMs);
  });

  it('turns flash attention off when the stock ops beat every lane count', async () => {
    const r = await tuneAttention(costed(1, { 1: 30, 2: 20, 4: 25 }), [1, 2, 4]);
    expect(r.chosen).toBe('stock');
    expect(on()).toBe(false);
  });

  it('leaves out a lane count that cannot run, saying why', async () => {
    const work = () => {
      if (on() && flashLanesWanted() === 4) throw new Error('subgroupShuffleXor: not here');
      return costed(30, { 1: 10, 2: 1 })();
    };
    const r = await tuneAttention(work, [1, 2, 4]);
    expect(flashLanesWanted()).toBe(2);
    expect(r.note).toContain('4 lanes failed: subgroupShuffleXor: not here');
  });

  it('times one lane only where no other is available (no note)', async () => {
    const r = await tuneAttention(costed(30, { 1: 1 }), [1]);
    expect(r).toMatchObject({ chosen: 'fused' });
    expect(r.note).toBeUndefined();
    expect(flashLanesWanted()).toBe(1);
  });
});
