import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights } from '../../../src/model/nn/gpt.ts';
import { measureThroughput } from '../../../src/model/nn/throughput.ts';
import { countingBatch, tinyModel } from '../../operators/stepFixtures.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('measureThroughput', () => {
  it('reports positive tokens/s and leaves weights and tensor count unchanged', async () => {
    const m = tinyModel();
    const before = Array.from(await m.weights.get('wte')!.data());
    await measureThroughput(m.weights, m.config, countingBatch(1, 8)); // warm-up: caches
    const n = tf.memory().numTensors;
    const tps = await measureThroughput(m.weights, m.config, countingBatch(2, 8));
    expect(tps).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(n);
    expect(Array.from(await m.weights.get('wte')!.data())).toEqual(before);
    expect(m.optimizer.t).toBe(0);
    disposeWeights(m.weights);
    m.optimizer.dispose();
  });
});
