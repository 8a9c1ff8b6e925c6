import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { type SampleOptions, argmax, sampleToken } from '../../../src/model/nn/sample.ts';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

describe('argmax', () => {
  it('returns the first largest', () => {
    expect(argmax(Float32Array.of(1, 3, 3, -Infinity))).toBe(1);
  });
});

describe('sampleToken', () => {
  it('inverts one uniform draw over the temperature-scaled softmax', () => {
    // logits [0, ln 3]: at T = 1, p(0) = 1/4; at T = 2, p(0) = 3^-½/(1 + 3^-½) = 0.3660254…
    const logits = Float32Array.of(0, Math.log(3));
    for (const [T, p0] of [[1, 0.25], [2, 0.36602540378443865]]) {
      for (let seed = 0; seed < 50; seed++) {
        const u = new Rng(seed).next();
        if (Math.abs(u - p0) < 1e-6) continue; // float32 logits: skip draws on the boundary
        expect(sampleToken(logits, { temperature: T, topK: 0 }, new Rng(seed))).toBe(u < p0 ? 0 : 1);
      }
    }
  });

  it('is greedy at temperature 0 and with top-k 1', () => {
    const logits = Float32Array.of(0.1, 2, 1.9);
    expect(sampleToken(logits, { temperature: 0, topK: 0 }, new Rng(1))).toBe(1);
    for (let s = 0; s < 20; s++) expect(sampleToken(logits, { temperature: 5, topK: 1 }, new Rng(s))).toBe(1);
  });

  it('cuts with top-p by Poetru’s rule and renormalises the nucleus', () => {
    // p = [0.5, 0.3, 0.2], topP 0.85 → nucleus {0, 1} with p(0) = 0.5/0.8 = 0.625
    const logits = logitsOf([0.2, 0.5, 0.3]); // shuffled ids: nucleus is {1, 2}
    const rng = new Rng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, { temperature: 1, topK: 0, topP: 0.85 }, rng)]++;
    expect(counts[0]).toBe(0);
    expect(counts[1] / 4000).toBeGreaterThan(0.625 - 0.03);
    expect(counts[1] / 4000).toBeLessThan(0.625 + 0.03);
  });

  it('applies top-k before top-p (HF order)', () => {
    // p = [.4, .3, .2, .1]. top-k 3 then top-p .75: [.444, .333, .222] → cum .444, .778 → {0}.
    // (top-p first would keep {0, 1}: .4, .7 ≤ .75.)
    const logits = logitsOf([0.4, 0.3, 0.2, 0.1]);
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) expect(sampleToken(logits, { temperature: 1, topK: 3, topP: 0.75 }, rng)).toBe(0);
  });

  it('applies the repetition penalty before choosing', () => {
    // [3, 2.5] with id 0 seen, penalty 2 → [1.5, 2.5]
    const logits = Float32Array.of(3, 2.5);
    expect(sampleToken(logits, { temperature: 0, topK: 0, repetitionPenalty: 2 }, new Rng(1), { ids: [0], newTokens: 1 })).toBe(1);
    expect(Array.from(logits)).toEqual([3, 2.5]); // input untouched
  });

  it('never repeats a banned bigram and holds EOS back for minNewTokens', () => {
    // id 0 = EOS with a huge logit, id 1 next best; greedy.
    const logits = Float32Array.of(10, 5, 4, 3);
    const opts: SampleOptions = { temperature: 0, topK: 0, minNewTokens: 3, eosIds: [0], noRepeatNgramSize: 2 };
    const ids = [2];
    for (let t = 0; t < 4; t++) ids.push(sampleToken(logits, opts, new Rng(0), { ids, newTokens: ids.length - 1 }));
    // after [2]: EOS banned → 1; after [2,1]: → 1 (bigram 1,1 new); after [2,1,1]: EOS banned and
    // 1→1 seen → 2; after [2,1,1,2]: 3 tokens generated, EOS allowed → 0.
    expect(ids).toEqual([2, 1, 1, 2, 0]);
  });

  it('reproduces a seeded generation with every control on', () => {
    const opts: SampleOptions = {
      temperature: 0.8, topK: 40, topP: 0.9, repetitionPenalty: 1.3, noRepeatNgramSize: 3, minNewTokens: 5, eosIds: [0],
    };
    const run = (seed: number) => {
      const rng = new Rng(seed);
      const table = new Rng(77); // fixed "model": logits depend on the last id only
      const rows = Array.from({ length: 64 }, () => Float32Array.from({ length: 64 }, () => table.next() * 8 - 4));
      const ids = [1];
      for (let t = 0; t < 40; t++) ids.push(sampleToken(rows[ids[ids.length - 1]], opts, rng, { ids, newTokens: t }));
      return ids;
    };
    const a = run(123);
    expect(run(123)).toEqual(a);
    expect(run(124)).not.toEqual(a);
    expect(a.slice(1, 6)).not.toContain(0);
    for (let i = 0; i + 3 <= a.length; i++) {
      for (let j = i + 1; j + 3 <= a.length; j++) expect(a.slice(j, j + 3)).not.toEqual(a.slice(i, i + 3));
    }
  });

  it('rejects bad options with a ConfigError naming the key', () => {
    const l = Float32Array.of(0, 1);
    expect(() => sampleToken(l, { temperature: -1, topK: 0 }, new Rng(1))).toThrow(/temperature/);
    expect(() => sampleToken(l, { temperature: 1, topK: 0, topP: 0 }, new Rng(1))).toThrow(ConfigError);
    expect(() => sampleToken(l, { temperature: 1, topK: 1.5 }, new Rng(1))).toThrow(/topK/);
    expect(() => sampleToken(l, { temperature: 1, topK: 0, minNewTokens: 2, eosIds: [0] }, new Rng(1))).toThrow(/context/);
  });

  it('throws when every token is banned', () => {
    const l = Float32Array.of(1);
    expect(() => sampleToken(l, { temperature: 1, topK: 0, noRepeatNgramSize: 1 }, new Rng(1), { ids: [0], newTokens: 1 })).toThrow(/banned/);
  });
});
