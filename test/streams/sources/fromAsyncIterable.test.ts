import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAsyncIterable } from '../../../src/streams/sources/fromAsyncIterable.ts';

/** An async iterator whose next() results the test settles by hand, recording calls. */
function manualIterator() {
  const pending: Array<(r: IteratorResult<number>) => void> = [];
  const calls = { next: 0, return: 0 };
  const iterator: AsyncIterator<number> = {
    next: () => {
      calls.next++;
      return new Promise((resolve) => pending.push(resolve));
    },
    return: async () => {
      calls.return++;
      return { done: true, value: undefined };
    },
  };
  return { iterable: { [Symbol.asyncIterator]: () => iterator }, pending, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('fromAsyncIterable', () => {
  it('emits the values in order, then completes', async () => {
    async function* gen() {
      yield* [1, 2, 3];
    }
    expect(await lastValueFrom(fromAsyncIterable(gen).pipe(toArray()))).toEqual([1, 2, 3]);
  });

  it('is cold: each subscription starts a fresh iterator', async () => {
    let starts = 0;
    async function* gen() {
      starts++;
      yield starts;
    }
    const src = fromAsyncIterable(gen);
    expect([await lastValueFrom(src), await lastValueFrom(src)]).toEqual([1, 2]);
  });

  it('passes errors thrown by the iterator to the subscriber', async () => {
    async function* gen() {
      yield 1;
      throw new Error('disk on fire');
    }
    await expect(lastValueFrom(fromAsyncIterable(gen))).rejects.toThrow('disk on fire');
  });

  it('pulls one value at a time: next() again only after the consumer took the last one', async () => {
    const m = manualIterator();
    const seen: number[] = [];
    const sub = fromAsyncIterable(() => m.iterable).subscribe((v) => seen.push(v));
    await tick();
    expect(m.calls.next).toBe(1);
    m.pending[0]({ done: false, value: 10 });
    await tick();
    expect([seen, m.calls.next]).toEqual([[10], 2]);
    sub.unsubscribe();
  });

  it('stops the source when unsubscribed early, even while a pull is pending', async () => {
    const m = manualIterator();
    const seen: number[] = [];
    const sub = fromAsyncIterable(() => m.iterable).subscribe((v) => seen.push(v));
    await tick();
    sub.unsubscribe();
    expect(m.calls.return).toBe(1); // at once, not after the pending value arrives
    m.pending[0]({ done: false, value: 99 });
    await tick();
    expect([seen, m.calls.next, m.calls.return]).toEqual([[], 1, 1]);
  });

  it('calls return() once when take() completes the stream', async () => {
    let finished = 0;
    async function* gen() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished++;
      }
    }
    expect(await lastValueFrom(fromAsyncIterable(gen).pipe(take(2), toArray()))).toEqual([0, 1]);
    await tick();
    expect(finished).toBe(1);
  });
});
