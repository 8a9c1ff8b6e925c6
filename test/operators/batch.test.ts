import { describe, it } from 'vitest';
import { batch } from '../../src/operators/batch.ts';
import { marbles } from './helpers.ts';

const ex = (a: number) => ({ ids: Int32Array.from([a, a + 1, a + 2]), mask: Float32Array.from([1, a === 9 ? 0 : 1]) });

describe('batch', () => {
  it('stacks examples into [B, T] inputs, shifted targets and masks; drops a short tail', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: ex(1), b: ex(9), c: ex(5) });
      expectObservable(src.pipe(batch(2))).toBe('--x--|', {
        x: { B: 2, T: 2, x: Int32Array.from([1, 2, 9, 10]), y: Int32Array.from([2, 3, 10, 11]), mask: Float32Array.from([1, 1, 1, 0]), tokens: 3 },
      });
    });
  });

  it('keeps the remainder when asked', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a|', { a: ex(1) });
      expectObservable(src.pipe(batch(2, { keepRemainder: true }))).toBe('-(x|)', {
        x: { B: 1, T: 2, x: Int32Array.from([1, 2]), y: Int32Array.from([2, 3]), mask: Float32Array.from([1, 1]), tokens: 2 },
      });
    });
  });

  it('stops the source when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-a-a-a|', { a: ex(1) });
      expectObservable(src.pipe(batch(2)), '^--!').toBe('--x', {
        x: { B: 2, T: 2, x: Int32Array.from([1, 2, 1, 2]), y: Int32Array.from([2, 3, 2, 3]), mask: Float32Array.from([1, 1, 1, 1]), tokens: 4 },
      });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });
});
