import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { filterAuthor } from '../../src/operators/filterAuthor.ts';
import { marbles } from './helpers.ts';

const r = (text: string, author?: string) => ({ text, ...(author === undefined ? {} : { author }) });

describe('filterAuthor', () => {
  const rows = { a: r('1', 'Пушкин'), b: r('2', 'Лермонтов'), c: r('3'), d: r('4', ' Тютчев ') };

  it('keep: only those authors (rows without one dropped); drop: never those', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('abcd|', rows).pipe(filterAuthor({ keep: ['Пушкин', 'Тютчев'], drop: [] }, (x) => reports.push(x)))).toBe('a--d|', rows);
      expectObservable(cold('abcd|', rows).pipe(filterAuthor({ keep: [], drop: ['Лермонтов'] }, (x) => reports.push(x)))).toBe('a-cd|', rows);
    });
    expect(reports).toEqual([
      { filter: 'authors', seen: 4, dropped: 2 },
      { filter: 'authors', seen: 4, dropped: 1 },
    ]);
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-|', rows);
      expectObservable(src.pipe(filterAuthor({ keep: ['Лермонтов'], drop: [] })), '^--!').toBe('---', rows);
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });
});
