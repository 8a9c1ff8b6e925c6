import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { keyedScheme, keyedSeed } from '../../../src/model/watermark/keyed.ts';
import { idsSha, vectors } from './vectors.ts';

describe('keyedSeed', () => {
  it('matches Python hmac over "keyed:{V}:{ids}"', () => {
    for (const c of vectors.keyed.cases) expect(keyedSeed(vectors.keyed.key, c.ctx, c.V)).toBe(BigInt(c.seed));
  });

  it('accepts the key as bytes', () => {
    const bytes = new TextEncoder().encode(vectors.keyed.key);
    expect(keyedSeed(bytes, [126], 24000)).toBe(keyedSeed(vectors.keyed.key, [126], 24000));
  });
});

describe('keyedScheme', () => {
  it('reproduces the Python green lists for h = 1, 2 and 3', () => {
    const schemes = new Map([1, 2, 3].map((h) => [h, keyedScheme({ vocabSize: 24000, key: vectors.keyed.key, contextWidth: h })]));
    for (const c of vectors.keyed.cases) {
      expect(idsSha(schemes.get(c.ctx.length)!.greenList(c.ctx).ids)).toBe(c.greenSha);
    }
  });

  it('gives different green lists for different keys and for different earlier context ids when h = 2', () => {
    const a = keyedScheme({ vocabSize: 5000, key: 'a' }).greenList([7]);
    const b = keyedScheme({ vocabSize: 5000, key: 'b' }).greenList([7]);
    expect(idsSha(a.ids)).not.toBe(idsSha(b.ids));
    const s2 = keyedScheme({ vocabSize: 5000, key: 'a', contextWidth: 2 });
    expect(idsSha(s2.greenList([1, 7]).ids)).not.toBe(idsSha(s2.greenList([2, 7]).ids));
  });

  it('defaults to not scoring the prompt and ignoring repeated pairs', () => {
    expect(keyedScheme({ vocabSize: 10, key: 'k' }).detectDefaults).toEqual({ scorePrompt: false, ignoreRepeatedNgrams: true });
  });

  it('rejects an empty key and a bad context width', () => {
    expect(() => keyedScheme({ vocabSize: 10, key: '' })).toThrow(ConfigError);
    expect(() => keyedScheme({ vocabSize: 10, key: 'k', contextWidth: 0 })).toThrow(/contextWidth/);
  });
});
