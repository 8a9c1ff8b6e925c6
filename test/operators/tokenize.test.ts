import { describe, expect, it } from 'vitest';
import { CharTokenizer } from '../../src/model/tokenizer/charTokenizer.ts';
import { tokenize } from '../../src/operators/tokenize.ts';
import { marbles } from './helpers.ts';

const tok = new CharTokenizer(['a', 'b', '\n']);

describe('tokenize', () => {
  it('encodes each document and appends EOS', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('-a-b|', { a: { text: 'ab', index: 0 }, b: { text: 'b\n', index: 1 } });
      expectObservable(src.pipe(tokenize(tok))).toBe('-x-y|', {
        x: { index: 0, ids: Int32Array.from([3, 4, 1]) },
        y: { index: 1, ids: Int32Array.from([4, 5, 1]) },
      });
    });
  });

  it('can leave EOS out, and maps unknown characters to UNK', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a|', { a: { text: 'az', index: 7 } });
      expectObservable(src.pipe(tokenize(tok, { appendEos: false }))).toBe('x|', { x: { index: 7, ids: Int32Array.from([3, 2]) } });
    });
  });

  it('stops the source when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-a-a-a|', { a: { text: 'a', index: 0 } });
      expectObservable(src.pipe(tokenize(tok)), '^--!').toBe('x-x-', { x: { index: 0, ids: Int32Array.from([3, 1]) } });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });

  it('keeps the tokenizer vocabulary stable', () => {
    expect(tok.vocabSize).toBe(6);
  });
});
