import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { sampleToken } from '../../../src/model/nn/sample.ts';
import { watermarkLogits } from '../../../src/model/watermark/apply.ts';
import { detectWatermark } from '../../../src/model/watermark/detect.ts';
import { keyedScheme } from '../../../src/model/watermark/keyed.ts';
import { poetruScheme } from '../../../src/model/watermark/poetru.ts';
import type { WatermarkScheme } from '../../../src/model/watermark/scheme.ts';

const V = 24000;
const poetru = poetruScheme({ vocabSize: V });

/** A chain of n+1 ids starting at `start` whose every step is green (or red) under `scheme`. */
function chain(scheme: WatermarkScheme, start: number, n: number, green: boolean): number[] {
  const ids = [start];
  for (let i = 0; i < n; i++) {
    const mask = scheme.greenList([ids[ids.length - 1]]).mask;
    let v = (ids[ids.length - 1] * 7 + 11) % V;
    while ((mask[v] === 1) !== green) v = (v + 1) % V;
    ids.push(v);
  }
  return ids;
}

describe('detectWatermark', () => {
  it('scores every adjacent pair under poetru: 12 green steps → T 12, K 12, z 6', () => {
    const ids = chain(poetru, 126, 12, true);
    const r = detectWatermark(ids, poetru);
    expect(r).toMatchObject({ scored: 12, green: 12, z: 6, watermarked: true });
    expect(r.pValue).toBeCloseTo(9.865876450376946e-10, 20);
  });

  it('gives negative z for all-red text and is not fooled', () => {
    const r = detectWatermark(chain(poetru, 3, 48, false), poetru);
    expect(r.scored).toBe(48);
    expect(r.green).toBe(0);
    expect(r.z).toBeCloseTo(-12 / Math.sqrt(9), 12); // (0 − 12)/√(48·0.1875) = −4
    expect(r.watermarked).toBe(false);
  });

  it('counts repeats under poetru, counts each (context, token) once with ignoreRepeatedNgrams', () => {
    // 126 → 5 is green (5 is in the required list); 5 → 126 is whatever it is.
    const back = poetru.greenList([5]).mask[126];
    const ids = [126, 5, 126, 5, 126, 5];
    const all = detectWatermark(ids, poetru);
    expect(all.scored).toBe(5);
    expect(all.green).toBe(3 + 2 * back);
    const once = detectWatermark(ids, poetru, { ignoreRepeatedNgrams: true });
    expect(once.scored).toBe(2);
    expect(once.green).toBe(1 + back);
  });

  it('skips the prompt when scorePrompt is false, using it only as context', () => {
    const prompt = chain(poetru, 40, 9, false); // 10 ids, 9 red steps
    const gen = chain(poetru, prompt[prompt.length - 1], 8, true).slice(1); // 8 green steps continuing it
    const ids = [...prompt, ...gen];
    const r = detectWatermark(ids, poetru, { scorePrompt: false, promptLength: prompt.length });
    expect(r).toMatchObject({ scored: 8, green: 8 });
    expect(detectWatermark(ids, poetru)).toMatchObject({ scored: 17, green: 8 });
  });

  it('requires promptLength for schemes that skip the prompt by default', () => {
    const keyed = keyedScheme({ vocabSize: V, key: 'k' });
    expect(() => detectWatermark([1, 2, 3], keyed)).toThrow(ConfigError);
    expect(detectWatermark([1, 2, 3], keyed, { promptLength: 0 }).scored).toBe(2);
    expect(detectWatermark([1, 2, 3], keyed, { promptLength: 2 }).scored).toBe(1);
  });

  it('returns z 0, p 1 for nothing to score, and rejects out-of-vocabulary ids', () => {
    expect(detectWatermark([7], poetru)).toEqual({ scored: 0, green: 0, z: 0, pValue: 1, watermarked: false });
    expect(() => detectWatermark([7, V], poetru)).toThrow(DataError);
  });

  it('separates 400 tokens sampled with and without the watermark (δ = 2)', () => {
    // Random logits ~ U(−3, 3) per step: high entropy, like a small model mid-sentence. V = 5000 keeps
    // the test fast (each unseen context costs one permutation of V).
    const Vs = 5000;
    const draw = (scheme: WatermarkScheme | null, seed: number): number[] => {
      const rng = new Rng(seed);
      const ids = [126];
      const logits = new Float32Array(Vs);
      for (let t = 0; t < 400; t++) {
        for (let v = 0; v < Vs; v++) logits[v] = rng.next() * 6 - 3;
        if (scheme) watermarkLogits(logits, ids, scheme);
        ids.push(sampleToken(logits, { temperature: 1, topK: 0 }, rng));
      }
      return ids;
    };
    const small = poetruScheme({ vocabSize: Vs });
    const plainIds = draw(null, 2);
    const marked = detectWatermark(draw(small, 1), small);
    const plain = detectWatermark(plainIds, small);
    expect(marked.scored).toBe(400);
    expect(marked.z).toBeGreaterThanOrEqual(4);
    expect(marked.watermarked).toBe(true);
    expect(Math.abs(plain.z)).toBeLessThan(4);
    expect(plain.watermarked).toBe(false);

    const keyed = keyedScheme({ vocabSize: Vs, key: 'secret' });
    const keyedIds = draw(keyed, 3);
    const km = detectWatermark(keyedIds, keyed, { promptLength: 1 });
    const kp = detectWatermark(plainIds, keyed, { promptLength: 1 });
    expect(km.z).toBeGreaterThanOrEqual(4);
    expect(Math.abs(kp.z)).toBeLessThan(4);
    // Without the key the mark is invisible: the poetru detector sees chance.
    expect(Math.abs(detectWatermark(keyedIds, small).z)).toBeLessThan(4);
  });
});
