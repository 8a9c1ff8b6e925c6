import { concatMap, delay, lastValueFrom, map, of, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pullThrough } from '../../../src/streams/sources/pullThrough.ts';

function* counted(n: number, log: number[]) {
  for (let i = 1; i <= n; i++) {
    log.push(i);
    yield i;
  }
}

describe('pullThrough', () => {
  it('pulls the next item only after the stage emitted for the previous one', async () => {
    const pulled: number[] = [];
    const seenAtEmit: number[] = [];
    const out = await lastValueFrom(
      pullThrough(
        counted(5, pulled),
        concatMap((x) => of(x * 10).pipe(delay(5))),
      ).pipe(
        map((x) => {
          seenAtEmit.push(pulled.length);
          return x;
        }),
        toArray(),
      ),
    );
    expect(out).toEqual([10, 20, 30, 40, 50]);
    // when result k is emitted, exactly k items have been pulled: no read-ahead
    expect(seenAtEmit).toEqual([1, 2, 3, 4, 5]);
  });

  it('works with async iterables', async () => {
    async function* gen() {
      yield 1;
      yield 2;
    }
    expect(await lastValueFrom(pullThrough(gen(), map((x: number) => x + 1)).pipe(toArray()))).toEqual([2, 3]);
  });

  it('waits on the gate before each pull (pause)', async () => {
    let open!: () => void;
    let gated = true;
    const gate = () => (gated ? new Promise<void>((r) => (open = r)) : Promise.resolve());
    const seen: number[] = [];
    const done = lastValueFrom(pullThrough([1, 2, 3], map((x: number) => x), { gate }).pipe(map((x) => seen.push(x))));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    gated = false;
    open();
    await done;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('propagates iterator errors', async () => {
    function* bad() {
      yield 1;
      throw new Error('broken reader');
    }
    await expect(lastValueFrom(pullThrough(bad(), map((x: number) => x)))).rejects.toThrow('broken reader');
  });

  it('stops the source when unsubscribed early, closing the iterator', async () => {
    const pulled: number[] = [];
    let closed = false;
    function* src() {
      try {
        yield* counted(100, pulled);
      } finally {
        closed = true;
      }
    }
    const out = await lastValueFrom(pullThrough(src(), map((x: number) => x)).pipe(take(3), toArray()));
    await new Promise((r) => setTimeout(r, 10));
    expect(out).toEqual([1, 2, 3]);
    expect(pulled.length).toBe(3);
    expect(closed).toBe(true);
  });
});
