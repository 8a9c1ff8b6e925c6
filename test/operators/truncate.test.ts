import { describe, it } from 'vitest';
import { truncate } from '../../src/operators/truncate.ts';
import { marbles } from './helpers.ts';

const doc = (index: number, ...ids: number[]) => ({ index, ids: Int32Array.from(ids) });

describe('truncate', () => {
  it('pads short documents, masks padding targets, cuts long ones, drops one-token ones', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: doc(0, 5, 6, 1), b: doc(1, 5, 6, 7, 8, 9, 1), c: doc(2, 9) });
      expectObservable(src.pipe(truncate(4, 0))).toBe('a-b--|', {
        a: { ids: Int32Array.from([5, 6, 1, 0, 0]), mask: Float32Array.from([1, 1, 0, 0]) },
        b: { ids: Int32Array.from([5, 6, 7, 8, 9]), mask: Float32Array.from([1, 1, 1, 1]) },
      });
    });
  });

  it('stops the source when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-a-a|', { a: doc(0, 1, 2) });
      expectObservable(src.pipe(truncate(2, 0)), '^-!').toBe('a-', { a: { ids: Int32Array.from([1, 2, 0]), mask: Float32Array.from([1, 0]) } });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
