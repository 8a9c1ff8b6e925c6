import { describe, expect, it } from 'vitest';
import { behaviourMetrics, distinct2, endsInLoop, hasRepeatedNgram, words } from '../../src/eval/behaviour.ts';

describe('behaviour metrics (hand-computed)', () => {
  it('words: lower-cased \\w+ runs (letters, digits, _); a combining accent splits a word as in Python', () => {
    expect(words('Ёлка, ёлка! Мой_дом 42 — а\u0301ра')).toEqual(['ёлка', 'ёлка', 'мой_дом', '42', 'а', 'ра']);
    expect(words(' ,.! ')).toEqual([]);
  });

  it('the four metrics of four texts', () => {
    const records = [
      // the cat sat ×3: 8 bigrams, 3 distinct; "the cat sat the" occurs twice; ends in a 3-word span ×3
      { text: 'The cat sat. The cat sat. The cat sat.', finish: 'eos' as const },
      // 3 new bigrams; no repeat; no loop
      { text: 'Я помню чудное мгновенье', finish: 'length' as const },
      // 2 bigrams, 1 distinct (la la); no 4-gram at all; ends in one word ×3
      { text: 'la la la', finish: 'stop' as const },
      // no words: no bigram, no repeat, no loop; and no finish field
      { text: '' },
    ];
    expect(behaviourMetrics(records)).toEqual({
      texts: 4,
      distinct_2: 7 / 13, // (3 + 3 + 1) distinct of (8 + 3 + 2) bigrams
      repeated_4gram_rate: 1 / 4,
      loop_rate: 2 / 4,
      completion_rate: 2 / 3, // eos and stop of the 3 records that say how they ended
    });
  });

  it('distinct_2 counts distinct bigrams across texts, not within each', () => {
    expect(distinct2([['a', 'b'], ['a', 'b'], ['b', 'a']])).toBe(2 / 3);
    expect(distinct2([['a'], []])).toBeNull();
  });

  it('repeated 4-grams: overlapping occurrences count; 3 repeats of a trigram are not a repeated 4-gram', () => {
    expect(hasRepeatedNgram(['a', 'a', 'a', 'a', 'a'], 4)).toBe(true);
    expect(hasRepeatedNgram(['a', 'b', 'c', 'x', 'a', 'b', 'c', 'y'], 4)).toBe(false);
    expect(hasRepeatedNgram(['a', 'b', 'c', 'd', 'z', 'a', 'b', 'c', 'd'], 4)).toBe(true);
  });

  it('loops: the last 3k words are one k-word span three times, for some k', () => {
    expect(endsInLoop(['x', 'a', 'b', 'a', 'b', 'a', 'b'])).toBe(true); // k = 2
    expect(endsInLoop(['b', 'a', 'a', 'a'])).toBe(true); // k = 1
    expect(endsInLoop(['a', 'b', 'a', 'b'])).toBe(false); // twice is not a loop
    expect(endsInLoop(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'x'])).toBe(false); // broken at the end
    expect(endsInLoop([])).toBe(false);
  });

  it('no records: every rate null', () => {
    expect(behaviourMetrics([])).toEqual({ texts: 0, distinct_2: null, repeated_4gram_rate: null, loop_rate: null, completion_rate: null });
  });
});
