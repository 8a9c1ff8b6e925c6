import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { dedupeNear, lshBands, minHash, shingleHashes, signatureSimilarity } from '../../src/operators/dedupeNear.ts';
import { marbles } from './helpers.ts';

const r = (text: string) => ({ text });
const jaccard = (a: Uint32Array, b: Uint32Array) => {
  const A = new Set(a);
  const inter = [...new Set(b)].filter((x) => A.has(x)).length;
  return inter / (A.size + new Set(b).size - inter);
};

const poem = 'Мой дядя самых честных правил, когда не в шутку занемог, он уважать себя заставил и лучше выдумать не мог.';
const variant = 'Мой дядя самых честных правил, когда не в шутку занемог, он уважать себя заставил и лучше выдумать не мог!'; // one character
const other = 'Белеет парус одинокой в тумане моря голубом!.. Что ищет он в стране далекой? Что кинул он в краю родном?..';

describe('dedupeNear (MinHash + LSH)', () => {
  it('shingles: distinct k-grams after lowercasing and collapsing whitespace', () => {
    expect(shingleHashes('AB  ab', 2).length).toBe(3); // "ab", "b ", " a" ("ab" twice)
    expect(shingleHashes('ab', 5).length).toBe(1);
  });

  it('the signature agreement estimates the Jaccard similarity of the shingle sets', () => {
    const [a, b, c] = [poem, variant, other].map((t) => shingleHashes(t, 5));
    const [sa, sb, sc] = [a, b, c].map((s) => minHash(s, 128, 1));
    // exact Jaccard of poem/variant: 104 of 106 shingles shared ≈ 0.98; sd of the estimate ≈ √(J(1−J)/128)
    expect(jaccard(a, b)).toBeGreaterThan(0.95);
    expect(Math.abs(signatureSimilarity(sa, sb) - jaccard(a, b))).toBeLessThan(0.06);
    expect(jaccard(a, c)).toBeLessThan(0.05);
    expect(signatureSimilarity(sa, sc)).toBeLessThan(0.1);
    // seeded: the same seed gives the same signature, another seed another one
    expect(minHash(a, 128, 1)).toEqual(sa);
    expect(minHash(a, 128, 2)).not.toEqual(sa);
  });

  it('LSH bands put the S-curve midpoint (1/b)^(1/r) nearest the threshold', () => {
    expect(lshBands(0.8, 128)).toEqual({ bands: 11, rows: 11 }); // (1/11)^(1/11) = 0.804
    expect(lshBands(0.5, 128)).toEqual({ bands: 25, rows: 5 }); // (1/25)^(1/5) = 0.525
  });

  it('drops a near-duplicate of an earlier kept row, keeps distinct ones, and reports', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcd|', { a: r(poem), b: r(other), c: r(variant), d: r(poem.toUpperCase()) });
      expectObservable(src.pipe(dedupeNear({ threshold: 0.8, seed: 3 }, (x) => reports.push(x)))).toBe('ab--|', { a: r(poem), b: r(other) });
    });
    expect(reports).toEqual([{ filter: 'near_dupes', seen: 4, dropped: 2 }]);
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c-|', { a: r(poem), b: r(variant), c: r(other) });
      expectObservable(src.pipe(dedupeNear({ threshold: 0.8 })), '^----!').toBe('-a---', { a: r(poem) });
      expectSubscriptions(src.subscriptions).toBe('^----!');
    });
  });
});
