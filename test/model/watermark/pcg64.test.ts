import { describe, expect, it } from 'vitest';
import { Pcg64 } from '../../../src/model/watermark/pcg64.ts';
import { vectors } from './vectors.ts';

describe('Pcg64', () => {
  it.each(vectors.pcg64.map((v) => [v.seed, v] as const))('matches numpy PCG64(%s): seeded state and random_raw', (_, v) => {
    const g = Pcg64.fromSeed(BigInt(v.seed));
    expect(g.state()).toBe(BigInt(v.state));
    expect(v.raw.map(() => g.next64())).toEqual(v.raw.map(BigInt));
  });

  it('hands out the low half of a 64-bit draw first, then the high half', () => {
    const a = Pcg64.fromSeed(42);
    const b = Pcg64.fromSeed(42);
    const x = a.next64();
    const y = a.next64();
    expect([b.nextUint32(), b.nextUint32(), b.nextUint32(), b.nextUint32()]).toEqual([
      Number(x & 0xffffffffn),
      Number(x >> 32n),
      Number(y & 0xffffffffn),
      Number(y >> 32n),
    ]);
  });

  it('interval(max) stays in [0, max] and uses masked rejection on 32-bit draws', () => {
    const a = Pcg64.fromSeed(7);
    const b = Pcg64.fromSeed(7);
    for (let i = 0; i < 200; i++) {
      const max = 5 + (i % 11); // masks 7 and 15: both rejection cases occur
      const mask = max <= 7 ? 7 : 15;
      let expected: number;
      do expected = b.nextUint32() & mask;
      while (expected > max);
      const v = a.interval(max);
      expect(v).toBe(expected);
      expect(v).toBeLessThanOrEqual(max);
    }
    expect(a.interval(0)).toBe(0);
  });
});
