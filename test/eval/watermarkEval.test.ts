import { beforeAll, describe, expect, it } from 'vitest';
import { pickHeldOut, watermarkEvalFigures, watermarkScores } from '../../src/eval/watermarkEval.ts';
import { watermarkMetrics } from '../../src/eval/watermarkMetrics.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { Rng } from '../../src/model/nn/rng.ts';
import { detectWatermark } from '../../src/model/watermark/detect.ts';
import { keyedScheme } from '../../src/model/watermark/keyed.ts';
import { genModel } from '../model/nn/genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('pickHeldOut', () => {
  it('full-length texts first in corpus order, then the longest of the rest; never one without a continuation', () => {
    const docs = [5, 12, 2, 10, 7, 11, 3].map((n) => Array(n).fill(0));
    // prompt 2 + 8 new tokens: full = lengths ≥ 10 → docs 1, 3, 5
    expect(pickHeldOut(docs, 2, 2, 8)).toEqual([1, 3]);
    expect(pickHeldOut(docs, 5, 2, 8)).toEqual([1, 3, 5, 4, 0]);
    expect(pickHeldOut(docs, 10, 2, 8)).toEqual([1, 3, 5, 4, 0, 6]); // doc 2 (2 ids) has nothing after its prompt
  });
});

describe('watermarkScores', () => {
  it('scores each watermarked generation and its real counterpart the same way, same length; they separate', async () => {
    const m = genModel();
    const V = m.config.vocabSize;
    const scheme = keyedScheme({ vocabSize: V, key: 'secret' });
    // "real" texts: uniform random ids (no watermark), one shorter than the generation
    const rng = new Rng(3);
    const texts = [60, 60, 60, 60, 60, 30].map((n) => Array.from({ length: n }, () => 3 + rng.int(V - 3)));
    const { rows, pairs } = await watermarkScores(m, texts, { scheme, promptTokens: 2, maxNewTokens: 50, temperature: 1, topK: 0, seed: 4, batchSize: 4 });
    expect(rows.map((r) => r.label)).toEqual([...Array(6).fill(1), ...Array(6).fill(0)]);
    expect(pairs.map((p) => p.generatedTokens)).toEqual(Array(6).fill(50)); // EOS banned until maxNewTokens
    expect(pairs.map((p) => p.realTokens)).toEqual([50, 50, 50, 50, 50, 28]);
    // the real z is detectWatermark over prompt + the text's next 50 ids
    expect(pairs[0].zReal).toBe(detectWatermark(texts[0].slice(0, 52), scheme, { promptLength: 2 }).z);
    const m0 = watermarkMetrics(rows, 4);
    expect(m0.roc_auc).toBe(1);
    expect(watermarkEvalFigures(m0)).toEqual({ auc: 1, f1: m0.f1, meanZGenerated: m0.mean_z_generated, meanZReal: m0.mean_z_real });
    expect(watermarkEvalFigures(watermarkMetrics([{ label: 1, z: 5 }]))).toEqual({ auc: NaN, f1: 1, meanZGenerated: 5, meanZReal: NaN });
    expect(m0.mean_z_generated!).toBeGreaterThan(4);
    expect(Math.abs(m0.mean_z_real!)).toBeLessThan(2);
    disposeWeights(m.weights);
  });
});
