import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/operators/normalizeText.ts';
import type { CorpusRow } from '../../src/core/corpusDoc.ts';

const row = (index: number, text: string): CorpusRow => ({ text, index, source: 'poems.jsonl', author: 'A', title: null });

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('normalizeText', () => {
  it('normalises the text of each row and keeps the other fields', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-|', { a: row(0, 'Ещё...\r\n'), b: row(1, '„Да“ - нет') });
      const out = src.pipe(normalizeText({ yo: true, ellipsis: true, quotes: true, dashes: true }));
      expectObservable(out).toBe('-a-b-|', { a: row(0, 'Еще…\n'), b: row(1, '«Да» — нет') });
      expectSubscriptions(src.subscriptions).toBe('^----!');
    });
  });

  it('passes an unchanged row on as the same object', () => {
    const r = row(0, 'plain');
    let out: CorpusRow | undefined;
    scheduler().run(({ cold }) => {
      cold('a|', { a: r }).pipe(normalizeText({ yo: true })).subscribe((x) => (out = x));
    });
    expect(out).toBe(r);
  });

  it('passes errors through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('-a-#', { a: row(0, 'x\r\ny') }, new Error('bad line'));
      expectObservable(src.pipe(normalizeText({}))).toBe('-a-#', { a: row(0, 'x\ny') }, new Error('bad line'));
    });
  });

  it('stops the source when unsubscribed early', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c-d-|', { a: row(0, 'a'), b: row(1, 'b'), c: row(2, 'c'), d: row(3, 'd') });
      expectObservable(src.pipe(normalizeText({})), '^--!').toBe('-a-', { a: row(0, 'a') });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });
});
