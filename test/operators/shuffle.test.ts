import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { shuffle } from '../../src/operators/shuffle.ts';
import { marbles } from './helpers.ts';

describe('shuffle', () => {
  it('emits a seeded permutation when the source completes', async () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const a = await lastValueFrom(from(xs).pipe(shuffle(1), toArray()));
    const b = await lastValueFrom(from(xs).pipe(shuffle(1), toArray()));
    const c = await lastValueFrom(from(xs).pipe(shuffle(2), toArray()));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(xs);
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
  });

  it('waits for completion (marble)', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b|', { a: 'a', b: 'b' });
      const out = src.pipe(shuffle(3));
      expectObservable(out).toBe('---(xy|)', { x: expect.any(String), y: expect.any(String) });
    });
  });

  it('stops the source when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-a-a-a|');
      expectObservable(src.pipe(shuffle(1)), '^--!').toBe('----');
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });
});
