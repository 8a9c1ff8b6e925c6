import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { codePoints, filterLength } from '../../src/operators/filterLength.ts';
import { marbles } from './helpers.ts';

const r = (text: string) => ({ text });

describe('filterLength', () => {
  it('keeps rows within [min, max] code points and reports the drops', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c-d-|', { a: r('ab'), b: r('abcd'), c: r('abcdefg'), d: r('😀😀😀') });
      // 😀😀😀 is 3 code points (6 UTF-16 units): within [3, 4]
      expectObservable(src.pipe(filterLength({ min: 3, max: 4 }, (x) => reports.push(x)))).toBe('---b---d-|', { b: r('abcd'), d: r('😀😀😀') });
      expectSubscriptions(src.subscriptions).toBe('^--------!');
    });
    expect(codePoints('😀😀😀')).toBe(3);
    expect(reports).toEqual([{ filter: 'length_chars', seen: 4, dropped: 2 }]);
  });

  it('0 leaves a side open', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: r(''), b: r('x'.repeat(10_000)) }).pipe(filterLength({ min: 0, max: 0 }))).toBe('ab|', { a: r(''), b: r('x'.repeat(10_000)) });
    });
  });

  it('unsubscribes early: stops the source and reports what it saw', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c-|', { a: r('a'), b: r('bbb'), c: r('ccc') });
      expectObservable(src.pipe(filterLength({ min: 2, max: 0 }, (x) => reports.push(x))), '^---!').toBe('---b', { b: r('bbb') });
      expectSubscriptions(src.subscriptions).toBe('^---!');
    });
    expect(reports).toEqual([{ filter: 'length_chars', seen: 2, dropped: 1 }]);
  });
});
