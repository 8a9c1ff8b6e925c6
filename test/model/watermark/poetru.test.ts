import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { poetruScheme, poetruSeed } from '../../../src/model/watermark/poetru.ts';
import { idsSha, vectors } from './vectors.ts';

describe('poetruSeed', () => {
  it('gives the required seed for prev 126, V 24000', () => {
    expect(poetruSeed(126, 24000)).toBe(9195847125392385889n);
  });

  it.each(vectors.poetru.map((v) => [v.prev, v.V, v] as const))('matches hashlib for prev %i, V %i', (prev, V, v) => {
    expect(poetruSeed(prev, V)).toBe(BigInt(v.seed));
  });
});

describe('poetruScheme', () => {
  it('has the required green list for prev 126, V 24000 (γ = 0.25, δ = 2)', () => {
    const scheme = poetruScheme({ vocabSize: 24000 });
    expect(scheme.gamma).toBe(0.25);
    expect(scheme.delta).toBe(2);
    const g = scheme.greenList([126]);
    expect(g.ids.length).toBe(6000);
    expect(Array.from(g.ids).sort((a, b) => a - b).slice(0, 10)).toEqual([5, 7, 13, 14, 15, 20, 31, 33, 34, 35]);
    let count = 0;
    for (const m of g.mask) count += m;
    expect(count).toBe(6000);
    expect(g.mask[5]).toBe(1);
    expect(g.mask[6]).toBe(0);
  });

  it.each(vectors.poetru.map((v) => [v.prev, v.V, v] as const))('equals numpy green list for prev %i, V %i', (prev, V, v) => {
    const g = poetruScheme({ vocabSize: V }).greenList([prev]);
    expect(g.ids.length).toBe(v.greenSize); // int(0.25 · 50257) = 12564
    expect(Array.from(g.ids).sort((a, b) => a - b).slice(0, 10)).toEqual(v.greenSortedHead);
    expect(Array.from(g.ids.slice(0, 16))).toEqual(v.permHead);
  });

  it('uses the last id of a longer context and caches by it', () => {
    const scheme = poetruScheme({ vocabSize: 24000 });
    const a = scheme.greenList([1, 2, 126]);
    expect(scheme.greenList([126])).toBe(a);
    expect(idsSha(a.ids)).not.toBe(idsSha(scheme.greenList([125]).ids));
  });

  it('rebuilds an evicted green list identically', () => {
    const scheme = poetruScheme({ vocabSize: 1000, cacheSize: 1 });
    const a = scheme.greenList([3]);
    scheme.greenList([4]);
    const b = scheme.greenList([3]);
    expect(b).not.toBe(a);
    expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
  });

  it('rejects bad options and out-of-vocabulary ids with typed errors', () => {
    expect(() => poetruScheme({ vocabSize: 24000, gamma: 1 })).toThrow(ConfigError);
    expect(() => poetruScheme({ vocabSize: 0 })).toThrow(ConfigError);
    expect(() => poetruScheme({ vocabSize: 3, gamma: 0.25 })).toThrow(/empty green list/);
    const scheme = poetruScheme({ vocabSize: 100 });
    expect(() => scheme.greenList([100])).toThrow(DataError);
    expect(() => scheme.greenList([])).toThrow(/needs 1 previous token/);
  });
});
