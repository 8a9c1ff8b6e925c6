import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { filterLanguage } from '../../src/operators/filterLanguage.ts';
import { marbles } from './helpers.ts';

const r = (text: string, language?: string) => ({ text, ...(language === undefined ? {} : { language }) });

describe('filterLanguage', () => {
  const rows = { a: r('1', 'ru'), b: r('2', 'en'), c: r('3'), d: r('4', 'RU') };

  it('keeps the listed languages (case-insensitive) and rows without one; dropUnknown drops those too', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('abcd|', rows).pipe(filterLanguage({ languages: ['ru'] }, (x) => reports.push(x)))).toBe('a-cd|', rows);
      expectObservable(cold('abcd|', rows).pipe(filterLanguage({ languages: ['ru'], dropUnknown: true }))).toBe('a--d|', rows);
    });
    expect(reports).toEqual([{ filter: 'languages', seen: 4, dropped: 1 }]);
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-|', rows);
      expectObservable(src.pipe(filterLanguage({ languages: ['en'] })), '^-!').toBe('--', rows);
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
