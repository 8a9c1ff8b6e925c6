import { describe, expect, it } from 'vitest';
import { SeedSequence, entropyWords } from '../../../src/model/watermark/seedSequence.ts';
import { vectors } from './vectors.ts';

describe('entropyWords', () => {
  it('splits a Python int into 32-bit words, least significant first', () => {
    expect(Array.from(entropyWords(0))).toEqual([0]);
    expect(Array.from(entropyWords(2n ** 32n + 5n))).toEqual([5, 1]);
    expect(Array.from(entropyWords(9195847125392385889n))).toEqual([
      Number(9195847125392385889n & 0xffffffffn),
      Number(9195847125392385889n >> 32n),
    ]);
  });

  it('rejects negative entropy', () => {
    expect(() => entropyWords(-1)).toThrow(RangeError);
  });
});

describe('SeedSequence', () => {
  it('matches the required seed: generate_state(4, uint64) of 9195847125392385889', () => {
    expect(new SeedSequence(9195847125392385889n).generateState64(4)).toEqual([
      0xe86ee9d95122de28n,
      0x340c4366bab301a1n,
      0xa397adc0ec37a94dn,
      0x4452fb68c92ae348n,
    ]);
  });

  it.each(vectors.seedSequence.map((v) => [v.entropy, v] as const))('matches numpy for entropy %s (pool, uint32 and uint64 state)', (_, v) => {
    const ss = new SeedSequence(BigInt(v.entropy));
    expect(Array.from(ss.pool)).toEqual(v.pool);
    expect(Array.from(ss.generateState32(8))).toEqual(v.state32);
    expect(ss.generateState64(4)).toEqual(v.state64.map(BigInt));
  });
});
