import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meanPooledStates } from '../../src/eval/meanPooled.ts';
import { disposeWeights, hiddenStates } from '../../src/model/nn/gpt.ts';
import { genModel } from '../model/nn/genModel.ts';

const m = genModel({ context: 16 });
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => disposeWeights(m.weights));

describe('meanPooledStates', () => {
  it('batched and padded equals each text alone, averaged by hand; over-long texts keep their first context tokens', async () => {
    const docs = [[3, 4, 5], [6], [7, 8, 9, 10, 11, 12], [3, 4, 5, 6, 7], Array.from({ length: 20 }, (_, i) => 3 + (i % 30))];
    await meanPooledStates({ weights: m.weights, config: m.config }, docs, 3); // warm-up: causal masks per length are cached
    const before = tf.memory().numTensors;
    const pooled = await meanPooledStates({ weights: m.weights, config: m.config }, docs, 3);
    expect(tf.memory().numTensors).toBe(before);
    docs.forEach((ids, i) => {
      const cut = ids.slice(0, 16);
      const h = tf.tidy(() => hiddenStates(tf.tensor2d([cut], [1, cut.length], 'int32'), m.weights, m.config).arraySync()[0]); // [T, C]
      expect(pooled[i]).toHaveLength(m.config.hidden);
      for (let c = 0; c < m.config.hidden; c++) {
        const mean = h.reduce((s, row) => s + row[c], 0) / cut.length;
        expect(pooled[i][c]).toBeCloseTo(mean, 4);
      }
    });
  });

  it('rejects an empty text', async () => {
    await expect(meanPooledStates({ weights: m.weights, config: m.config }, [[3], []])).rejects.toThrow(/text 1 has no tokens/);
  });
});
