import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { APPARATUS, stripApparatus, stripText } from '../../src/operators/stripApparatus.ts';
import { marbles } from './helpers.ts';

const r = (text: string) => ({ text });

describe('stripApparatus', () => {
  it('removes footnote markers and page numbers, keeps section breaks and years', () => {
    const text = 'Я помню чудное мгновенье[1],\nПередо мной явилась ты*,\n\n12\n\n— 13 —\n* * *\nКак гений¹ чистой красоты.\nс. 14\n«слово»** и [*] да\n1825';
    expect(stripText(text, APPARATUS)).toBe('Я помню чудное мгновенье,\nПередо мной явилась ты,\n\n* * *\nКак гений чистой красоты.\n«слово» и да\n1825');
    expect(stripText('без сносок', APPARATUS)).toBe('без сносок');
  });

  it('passes unchanged rows as they are, changes the others, drops rows left empty, and reports', () => {
    const reports: FilterReport[] = [];
    const same = r('стих\n');
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: same, b: r('стих[2]'), c: r('\n[3]\n') });
      expectObservable(src.pipe(stripApparatus(APPARATUS, (x) => reports.push(x)))).toBe('ab-|', { a: same, b: r('стих') });
    });
    expect(reports).toEqual([{ filter: 'strip_apparatus', seen: 3, dropped: 1, changed: 1 }]);
  });

  it('a custom pattern alone (strip_pattern)', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: r('стих <i>курсив</i> [1]') }).pipe(stripApparatus([/<\/?i>/gmu]))).toBe('a|', { a: r('стих курсив [1]') });
    });
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-|', { a: r('x[1]'), b: r('y') });
      expectObservable(src.pipe(stripApparatus()), '^-!').toBe('-a', { a: r('x') });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
