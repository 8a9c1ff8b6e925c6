import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedLogits, scoreExpected, scoreProbe, summarizeProbes } from '../../src/eval/probes.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { disposeWeights, forward } from '../../src/model/nn/gpt.ts';
import { genModel } from '../model/nn/genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('scoreExpected (hand-computed)', () => {
  it('rank, probability and perplexity from logit rows', () => {
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    // row 0 predicts id 1 (logit 2: one id above it → rank 2); row 1 predicts id 2 of uniform logits (p = 1/3)
    const s = scoreExpected([Float32Array.of(1, 2, 3), Float32Array.of(0, 0, 0)], [1, 2]);
    expect(s.rank).toBe(2);
    expect(s.prob).toBeCloseTo(Math.exp(2) / z, 6);
    expect(s.logprobs[1]).toBeCloseTo(Math.log(1 / 3), 6);
    expect(s.perplexity).toBeCloseTo(Math.exp(-(Math.log(Math.exp(2) / z) + Math.log(1 / 3)) / 2), 6);
    // ties: rank 1 + ids strictly more likely
    expect(scoreExpected([Float32Array.of(5, 5, 1)], [1]).rank).toBe(1);
    expect(() => scoreExpected([], [])).toThrow(/no tokens/);
  });

  it('summary: top-1, top-5, mean and median rank, mean p, geometric-mean perplexity', () => {
    expect(summarizeProbes([{ rank: 1, prob: 0.5, perplexity: 2 }, { rank: 7, prob: 0.1, perplexity: 8 }, { rank: 3, prob: 0.3, perplexity: 4 }])).toEqual({
      probes: 3, top1: 1 / 3, top5: 2 / 3, mean_rank: 11 / 3, median_rank: 3, mean_prob: (0.5 + 0.1 + 0.3) / 3, perplexity: Math.exp((Math.log(2) + Math.log(8) + Math.log(4)) / 3),
    });
  });
});

describe('probes on a model', () => {
  it('agree with a direct computation from the model logits (float64 softmax over forward)', async () => {
    const m = genModel();
    const tok = m.tokenizer!;
    const prompt = 'the moon ';
    const expected = 'is bright';
    const got = await scoreProbe(m, { prompt, expected });
    const p = tok.encode(prompt);
    const e = tok.encode(expected);
    const seq = [...p, ...e];
    const logits = tf.tidy(() => forward(tf.tensor2d(seq, [1, seq.length], 'int32'), m.weights, m.config).arraySync()[0]);
    let nll = 0;
    let rank = 0;
    let prob = 0;
    e.forEach((id, j) => {
      const row = logits[p.length - 1 + j];
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      nll -= row[id] - lse;
      if (j === 0) {
        rank = 1 + row.filter((x) => x > row[id]).length;
        prob = Math.exp(row[id] - lse);
      }
    });
    expect(got.expectedTokens).toBe(e.length);
    expect(got.rank).toBe(rank);
    expect(got.prob).toBeCloseTo(prob, 5);
    expect(got.perplexity).toBeCloseTo(Math.exp(nll / e.length), 4);
    disposeWeights(m.weights);
  });

  it('keeps the last context ids when prompt + expected is longer than the context', async () => {
    const m = genModel({ context: 16 });
    const prompt = Array.from({ length: 30 }, (_, i) => 3 + (i % 20));
    const expected = [5, 6, 7];
    const rows = await expectedLogits(m, prompt, expected);
    const window = [...prompt, ...expected].slice(0, -1).slice(-16);
    const want = tf.tidy(() => forward(tf.tensor2d(window, [1, 16], 'int32'), m.weights, m.config).arraySync()[0].slice(-3));
    rows.forEach((r, j) => r.forEach((x, v) => expect(x).toBeCloseTo(want[j][v], 5)));
    await expect(expectedLogits(m, [1], Array(17).fill(4))).rejects.toThrow(/more than the context of 16/);
    disposeWeights(m.weights);
  });
});
