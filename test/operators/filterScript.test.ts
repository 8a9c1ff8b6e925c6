import { describe, expect, it } from 'vitest';
import type { FilterReport } from '../../src/core/events.ts';
import { filterScript, scriptPattern, scriptShare } from '../../src/operators/filterScript.ts';
import { marbles } from './helpers.ts';

const r = (text: string) => ({ text });

describe('filterScript', () => {
  it('the share of letters in the scripts, digits and punctuation not counted', () => {
    const cyr = scriptPattern('Cyrillic');
    expect(scriptShare('Мороз и солнце; 1825!', cyr)).toBe(1);
    expect(scriptShare('Москва Moscow', cyr)).toBeCloseTo(6 / 12, 12);
    expect(scriptShare('123 …', cyr)).toBe(0);
    expect(scriptShare('Moscow Москва', scriptPattern('Cyrillic, Latin'))).toBe(1);
    expect(() => scriptPattern('Klingon')).toThrow(/unknown Unicode script "Klingon"/);
  });

  it('keeps rows at or above min_share, drops the rest and letterless rows, and reports', () => {
    const reports: FilterReport[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcd|', { a: r('Я вас любил'), b: r('I loved you'), c: r('Я вас любил (I loved you)'), d: r('* * *') });
      expectObservable(src.pipe(filterScript({ scripts: 'Cyrillic', minShare: 0.5 }, (x) => reports.push(x)))).toBe('a-c-|', { a: r('Я вас любил'), c: r('Я вас любил (I loved you)') });
    });
    // c: 9 Cyrillic letters of 18, exactly 0.5: kept (at or above)
    expect(reports).toEqual([{ filter: 'script', seen: 4, dropped: 2 }]);
  });

  it('unsubscribes early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-|', { a: r('да'), b: r('нет') });
      expectObservable(src.pipe(filterScript({ scripts: 'Cyrillic', minShare: 0.9 })), '^-!').toBe('-a', { a: r('да') });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
