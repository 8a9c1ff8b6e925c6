import { describe, expect, it } from 'vitest';
import { gridSettings, leaderboardCsv, presetSettings, rankRows, splitHoldout, type SweepRow, sweepScore } from '../../src/eval/decodingSweep.ts';

describe('decoding sweep pieces', () => {
  it('gridSettings: the cartesian product, first axis slowest, other axes at generate\'s defaults; names say the values', () => {
    const g = gridSettings(['temperature=0.5,1', 'top-k=0,40', 'no_repeat_ngram=3']);
    expect(g.map((s) => s.name)).toEqual(['t0.5_k0_p1_rp1_nr3', 't0.5_k40_p1_rp1_nr3', 't1_k0_p1_rp1_nr3', 't1_k40_p1_rp1_nr3']);
    expect(g[1]).toEqual({ name: 't0.5_k40_p1_rp1_nr3', temperature: 0.5, top_k: 40, top_p: 1, repetition_penalty: 1, no_repeat_ngram_size: 3 });
    expect(() => gridSettings(['beam=2'])).toThrow(/grid axis "beam=2" must be KEY=V1,V2,... with KEY one of temperature, top_k/);
    expect(() => gridSettings(['top_p=0.9,x'])).toThrow(/"x" is not a number/);
    expect(() => gridSettings(['top_p=0.9', 'top_p=1'])).toThrow(/given twice/);
    expect(presetSettings(['greedy'])[0]).toMatchObject({ name: 'greedy', temperature: 0 });
    expect(() => presetSettings(['wild'])).toThrow(/unknown preset "wild"; presets: greedy, balanced, focused, creative, no_repeat/);
  });

  it('sweepScore = distinct_2 − loop_rate − repeated_4gram_rate + 0.25 · completion_rate (null = 0)', () => {
    expect(sweepScore({ texts: 4, distinct_2: 0.9, loop_rate: 0.25, repeated_4gram_rate: 0.5, completion_rate: 0.5 })).toBeCloseTo(0.9 - 0.25 - 0.5 + 0.125, 15);
    expect(sweepScore({ texts: 0, distinct_2: null, loop_rate: null, repeated_4gram_rate: null, completion_rate: null })).toBe(0);
  });

  it('splitHoldout: round(fraction · n) held out by the given order, both in original order', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    expect(splitHoldout(items, 0.3, [7, 2, 9, 0, 1, 3, 4, 5, 6, 8])).toEqual({ tuning: ['a', 'b', 'd', 'e', 'f', 'g', 'i'], holdout: ['c', 'h', 'j'] });
    expect(splitHoldout(['a', 'b'], 0.01, [1, 0]).holdout).toEqual(['b']); // at least one each
    expect(() => splitHoldout(['a'], 0.3, [0])).toThrow(/cannot be split/);
    expect(() => splitHoldout(items, 1, [])).toThrow(/between 0 and 1/);
  });

  it('leaderboards rank by score, ties in the given order', () => {
    const row = (name: string, score: number): SweepRow => ({ name, score, temperature: 0.8, top_k: 40, top_p: 1, repetition_penalty: 1, no_repeat_ngram_size: 0, texts: 2, distinct_2: 0.5, repeated_4gram_rate: 0, loop_rate: null, completion_rate: 0.5, tokens: 10, seconds: 0.25 });
    expect(rankRows([row('a', 0.5), row('b', 0.75), row('c', 0.5)]).map((r) => r.name)).toEqual(['b', 'a', 'c']);
    expect(leaderboardCsv([row('a', 0.5), row('b', 0.75)])).toBe(
      'rank,name,score,distinct_2,repeated_4gram_rate,loop_rate,completion_rate,temperature,top_k,top_p,repetition_penalty,no_repeat_ngram_size,texts,tokens,seconds\n' +
        '1,b,0.75,0.5,0,,0.5,0.8,40,1,1,0,2,10,0.25\n2,a,0.5,0.5,0,,0.5,0.8,40,1,1,0,2,10,0.25\n',
    );
  });
});
