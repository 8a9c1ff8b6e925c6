import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { dedupeExact, textKey } from '../../src/operators/dedupeExact.ts';
import { marbles } from './helpers.ts';

const r = (text: string, index: number) => ({ text, index });

describe('dedupeExact', () => {
  it('keeps the first of equal texts, drops the rest, and reports them', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcde|', { a: r('мороз и солнце', 0), b: r('день чудесный', 1), c: r('мороз и солнце', 2), d: r('Мороз и солнце', 3), e: r('день чудесный', 4) });
      expectObservable(src.pipe(dedupeExact((x) => reports.push(x)))).toBe('ab-d-|', { a: r('мороз и солнце', 0), b: r('день чудесный', 1), d: r('Мороз и солнце', 3) });
    });
    expect(reports).toEqual([{ filter: 'dedupe', seen: 5, dropped: 2 }]);
  });

  it('each subscription starts with nothing seen', () => {
    marbles().run(({ cold, expectObservable }) => {
      const once = cold('aa|', { a: r('x', 0) }).pipe(dedupeExact());
      expectObservable(once).toBe('a-|', { a: r('x', 0) });
      expectObservable(once).toBe('a-|', { a: r('x', 0) });
    });
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-a-b-|', { a: r('x', 0), b: r('y', 1) });
      expectObservable(src.pipe(dedupeExact()), '^--!').toBe('-a-', { a: r('x', 0) });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });

  it('textKey is 52 bits of SHA-1', () => {
    // sha1("abc") = a9993e36 4706816a …: (0xa9993e36 & 0xfffff) · 2³² + 0x4706816a
    expect(textKey('abc')).toBe(0x93e36 * 2 ** 32 + 0x4706816a);
  });
});
