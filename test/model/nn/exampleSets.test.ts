import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Example, ExampleSet } from '../../../src/core/batch.ts';
import type { TokenizedDoc } from '../../../src/core/corpusDoc.ts';
import { countedLength } from '../../../src/model/nn/batch.ts';
import { docSpans, packedExamples, sliceExamples, truncatedExamples } from '../../../src/model/nn/exampleSets.ts';
import { memoryDocStore } from '../../../src/model/nn/memoryDocStore.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { pack } from '../../../src/operators/pack.ts';
import { truncate } from '../../../src/operators/truncate.ts';

/** Seeded documents of 0–40 tokens (some shorter than 2, some longer than a window). */
function docs(n: number, seed: number): TokenizedDoc[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, index) => ({ index, ids: Int32Array.from({ length: rng.int(41) }, () => rng.int(500)) }));
}
const all = (s: ExampleSet): Example[] => Array.from({ length: s.length }, (_, i) => s.at(i));
const plain = (ex: readonly Example[]) => ex.map((e) => [Array.from(e.ids), Array.from(e.mask)]);

describe('example sets read on demand', () => {
  const corpus = docs(60, 3);
  const store = memoryDocStore(corpus);
  const every = Array.from({ length: corpus.length }, (_, i) => i);
  const odd = every.filter((i) => i % 3 !== 0);

  it.each([4, 7, 16, 64])('packedExamples gives the pack operator\'s windows bit for bit (T=%i)', async (T) => {
    for (const pick of [every, odd]) {
      const want = await lastValueFrom(from(pick.map((i) => corpus[i])).pipe(pack(T), toArray()));
      const got = packedExamples(store, docSpans(store, pick), T);
      expect(got.length).toBe(want.length);
      expect(want.length).toBeGreaterThan(0);
      expect(plain(all(got))).toEqual(plain(want));
      expect(got.tokens).toBe(want.length * T);
    }
  });

  it.each([4, 16, 64])('truncatedExamples gives the truncate operator\'s rows, lengths and token count (T=%i)', async (T) => {
    const want = await lastValueFrom(from(odd.map((i) => corpus[i])).pipe(truncate(T, 0), toArray()));
    const got = truncatedExamples(store, docSpans(store, odd), T, 0);
    expect(plain(all(got))).toEqual(plain(want));
    expect(Array.from({ length: got.length }, (_, i) => got.countedLength(i))).toEqual(want.map((e) => countedLength(e.mask)));
    expect(got.tokens).toBe(want.reduce((n, e) => n + e.mask.reduce((a, b) => a + b, 0), 0));
  });

  it('packs spans that cut inside a document (a one-document corpus split by tokens)', async () => {
    const one = memoryDocStore([{ index: 0, ids: Int32Array.from({ length: 50 }, (_, i) => i) }]);
    const train = packedExamples(one, { doc: new Uint32Array([0]), from: new Float64Array([0]), len: new Uint32Array([40]) }, 8);
    const val = packedExamples(one, { doc: new Uint32Array([0]), from: new Float64Array([40]), len: new Uint32Array([10]) }, 8);
    expect(train.length).toBe(4); // ⌊39/8⌋
    expect(Array.from(train.at(3).ids)).toEqual([24, 25, 26, 27, 28, 29, 30, 31, 32]);
    expect(val.length).toBe(1);
    expect(Array.from(val.at(0).ids)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48]);
    expect(() => train.at(4)).toThrow(RangeError);
  });

  it('sliceExamples views a range with its token count', () => {
    const set = truncatedExamples(store, docSpans(store, every), 16, 0);
    const s = sliceExamples(set, 5, 9);
    expect(s.length).toBe(4);
    expect(plain([s.at(0), s.at(3)])).toEqual(plain([set.at(5), set.at(8)]));
    expect(s.tokens).toBe([5, 6, 7, 8].reduce((n, i) => n + set.countedLength(i), 0));
  });
});
