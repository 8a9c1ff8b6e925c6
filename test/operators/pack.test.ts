import { describe, it } from 'vitest';
import { pack } from '../../src/operators/pack.ts';
import { marbles } from './helpers.ts';

const doc = (...ids: number[]) => ({ index: 0, ids: Int32Array.from(ids) });
const ex = (...ids: number[]) => ({ ids: Int32Array.from(ids), mask: Float32Array.from([1, 1, 1]) });

describe('pack', () => {
  it('cuts the concatenated stream into T+1 windows with stride T, dropping the tail', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: doc(1, 2), b: doc(3, 4, 5, 6), c: doc(7, 8, 9) });
      // stream 1..9: windows [1,2,3,4] at b, [4,5,6,7] and ... at c: [7,8,9] is short → dropped
      expectObservable(src.pipe(pack(3))).toBe('--x-y|', { x: ex(1, 2, 3, 4), y: ex(4, 5, 6, 7) });
    });
  });

  it('emits several windows for one long document', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a----|', { a: doc(1, 2, 3, 4, 5, 6, 7) });
      expectObservable(src.pipe(pack(3))).toBe('(xy)-|', { x: ex(1, 2, 3, 4), y: ex(4, 5, 6, 7) });
    });
  });

  it('stops the source when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-a-a|', { a: doc(1, 2, 3, 4) });
      expectObservable(src.pipe(pack(3)), '^-!').toBe('x-', { x: ex(1, 2, 3, 4) });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
