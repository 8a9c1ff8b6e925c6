import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { isValidationDoc, splitSingleText } from '../../../src/streams/sources/split.ts';

const N = 10_000;
const valIds = (seed: number, f: number) => Array.from({ length: N }, (_, i) => i).filter((i) => isValidationDoc(i, seed, f));

describe('isValidationDoc', () => {
  it('gives the same split for the same seed', () => {
    expect(valIds(1234, 0.1)).toEqual(valIds(1234, 0.1));
  });

  it('gives a different, independent split for another seed', () => {
    const a = new Set(valIds(1, 0.1));
    const b = valIds(2, 0.1);
    expect(b).not.toEqual([...a]);
    // independent sets of ~1,000 overlap in about N * 0.1 * 0.1 = 100 ids (sd ~ 10)
    const overlap = b.filter((i) => a.has(i)).length;
    expect(overlap).toBeGreaterThan(60);
    expect(overlap).toBeLessThan(140);
  });

  it.each([
    [0, 0.1],
    [42, 0.1],
    [-7, 0.05],
    [2 ** 40 + 3, 0.5],
    [7, 0.01],
  ])('seed %d: respects valFraction %d within 4 standard deviations on 10,000 ids', (seed, f) => {
    const sd = Math.sqrt(N * f * (1 - f));
    expect(Math.abs(valIds(seed, f).length - N * f)).toBeLessThan(4 * sd);
  });

  it('spreads validation ids evenly: each tenth of the index range holds about a tenth of them', () => {
    const ids = valIds(99, 0.2);
    const perDecile = Array.from({ length: 10 }, (_, d) => ids.filter((i) => Math.floor(i / 1000) === d).length);
    for (const c of perDecile) expect(Math.abs(c - 200)).toBeLessThan(4 * Math.sqrt(1000 * 0.2 * 0.8));
  });

  it('is monotone in valFraction: a larger fraction keeps every id of a smaller one', () => {
    const small = valIds(5, 0.05);
    const large = new Set(valIds(5, 0.2));
    expect(small.every((i) => large.has(i))).toBe(true);
  });

  it('puts nothing in validation for 0 and everything for 1', () => {
    expect(valIds(3, 0)).toEqual([]);
    expect(valIds(3, 1)).toHaveLength(N);
  });

  it('rejects a fraction outside [0, 1] or a fractional seed with a ConfigError, a bad index with a RangeError', () => {
    expect(() => isValidationDoc(0, 1, 1.5)).toThrow(ConfigError);
    expect(() => isValidationDoc(0, 1, Number.NaN)).toThrow(ConfigError);
    expect(() => isValidationDoc(0, 0.5, 0.1)).toThrow(ConfigError);
    expect(() => isValidationDoc(-1, 1, 0.1)).toThrow(RangeError);
  });
});

describe('splitSingleText', () => {
  it('keeps the last valFraction of the characters for validation, nanoGPT style', () => {
    expect(splitSingleText('abcdefghij', 0.1)).toEqual({ train: 'abcdefghi', val: 'j' });
    expect(splitSingleText('abcdefghij', 0.25)).toEqual({ train: 'abcdefg', val: 'hij' });
    expect(splitSingleText('abc', 0)).toEqual({ train: 'abc', val: '' });
    expect(splitSingleText('abc', 1)).toEqual({ train: '', val: 'abc' });
  });

  it('never cuts a surrogate pair', () => {
    // 'ab😀cd' is 6 code units; floor(6 * 0.5) = 3 falls inside 😀
    const { train, val } = splitSingleText('ab😀cd', 0.5);
    expect([train, val]).toEqual(['ab😀', 'cd']);
  });

  it('rejects a fraction outside [0, 1]', () => {
    expect(() => splitSingleText('abc', -0.1)).toThrow(ConfigError);
  });
});
