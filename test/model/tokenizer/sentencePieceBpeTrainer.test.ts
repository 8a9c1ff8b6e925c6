import { lastValueFrom, toArray } from 'rxjs';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { SentencePieceBpeTokenizer } from '../../../src/model/tokenizer/sentencePieceBpeTokenizer.ts';
import { trainSentencePieceBpe } from '../../../src/model/tokenizer/sentencePieceBpeTrainer.ts';
import { readCorpus } from '../../../src/streams/sources/readCorpus.ts';

/**
 * The SentencePiece-style BPE trainer: hand-computed merges on a toy corpus, the piece rules, and
 * identity with HF tokenizers (Rust, the `tokenizers` package; and @huggingface/tokenizers, transformers.js's, at 1k) on samples of the shipped corpora at
 * 128, 1k and 8k tokens: HF loads the tokenizer.json written and gives the same ids and the same
 * decoded text as Versiflow's encoder. The whole corpora: `npx tsx scripts/sp-bpe-identity.ts`
 * (figures in docs/tokenizers.md).
 */

const read = (f: string, n: number) => lastValueFrom(readCorpus(`data/${f}.parquet`, { maxDocs: n }).pipe(toArray())).then((rs) => rs.map((r) => r.text));
let fr: string[] = [];
let ru: string[] = [];
let en: string[] = [];
let sh: string[] = [];
beforeAll(async () => {
  [fr, ru, en, sh] = await Promise.all([read('fr_poetry', 260), read('ru_poetry', 200), read('en_poetry', 200), read('tinyshakespeare', 1500)]);
});

async function sameAsHf(tok: SentencePieceBpeTokenizer, texts: readonly string[]): Promise<number> {
  const hf = HfTokenizer.fromString(JSON.stringify(tok.toJSON()));
  let ids = 0;
  for (const t of texts) {
    const want = (await hf.encode(t, null, { addSpecialTokens: false })).getIds();
    const got = tok.encode(t);
    expect(got, JSON.stringify(t.slice(0, 80))).toEqual(want);
    expect(tok.decode(got), JSON.stringify(t.slice(0, 80))).toBe(await hf.decode(want, true));
    ids += got.length;
  }
  return ids;
}

const EDGE = ['', ' ', '  two  spaces ', '\n\nnewlines\n', 'emoji 🙂 and 日本語', '«quoted» — and… </s> <s>', 'tab\tand\rcr', 'lone \ud800 surrogate'];

describe('trainSentencePieceBpe', () => {
  it('toy corpus: the alphabet by frequency, merges by count, sentencepiece vocabulary order', () => {
    const r = trainSentencePieceBpe(['ab ab ab ac'], { vocabSize: 10, characterCoverage: 1 });
    // characters: ▁ 4, a 4, b 3, c 1 (ties by code point); pairs: ▁a 4, then ▁a·b 3, ▁a·c 1
    const doc = r.tokenizer.toJSON() as { model: { vocab: Record<string, number>; merges: string[][]; byte_fallback: boolean } };
    expect(doc.model.merges).toEqual([['▁', 'a'], ['▁a', 'b'], ['▁a', 'c']]);
    expect(Object.keys(doc.model.vocab)).toEqual(['<unk>', '<s>', '</s>', '▁a', '▁ab', '▁ac', 'a', '▁', 'b', 'c']);
    expect(doc.model.byte_fallback).toBe(false);
    expect(r.notes[0]).toMatch(/^byte fallback off: 10 tokens cannot hold the 256 byte tokens/);
    expect(r.tokenizer.encode('ab ac')).toEqual([4, 5]);
    expect(r.tokenizer.encode('ad dd')).toEqual([3, 0, 7, 0]); // d is unknown: fused <unk>
    expect([r.tokenizer.unkId, r.tokenizer.eosId, r.tokenizer.padId]).toEqual([0, 2, -1]);
  });

  it('pieces never mix scripts, never hold ▁ past their start, never pass the length limit; user symbols stay whole', () => {
    const texts = Array.from({ length: 20 }, () => 'a, a, a, «aaaaaaaa» ab1 ab1');
    const r = trainSentencePieceBpe(texts, { vocabSize: 40, characterCoverage: 1, maxPieceLength: 4, userDefinedSymbols: ['«', '»'] });
    const doc = r.tokenizer.toJSON() as { model: { vocab: Record<string, number> }; added_tokens: { content: string; id: number; special: boolean }[] };
    const pieces = Object.keys(doc.model.vocab).slice(3);
    expect(pieces.filter((p) => [...p].length > 4)).toEqual([]);
    expect(pieces.filter((p) => p.indexOf('▁', 1) > 0)).toEqual([]);
    expect(pieces.filter((p) => /[a-z][,1«»]|[,1«»][a-z]/.test(p))).toEqual([]);
    expect(pieces).toContain('aaaa');
    expect(doc.added_tokens.map((t) => [t.content, t.id, t.special])).toEqual([['<unk>', 0, true], ['<s>', 1, true], ['</s>', 2, true], ['«', 3, false], ['»', 4, false]]);
    const ids = r.tokenizer.encode('«aaaaaaaa»');
    expect(ids[0]).toBe(3);
    expect(ids[ids.length - 1]).toBe(4);
    expect(r.tokenizer.decode(r.tokenizer.encode('a, «aaaaaaaa» ab1'))).toBe('a, «aaaaaaaa» ab1');
  });

  it('refuses a vocabulary too small for its alphabet, or for byte fallback asked for', () => {
    expect(() => trainSentencePieceBpe(['abcdefgh'], { vocabSize: 8, characterCoverage: 1 })).toThrow(/vocab_size 8 is too small for the 9 characters .* raise vocab_size or lower character_coverage/);
    expect(() => trainSentencePieceBpe(['abc'], { vocabSize: 128, byteFallback: true })).toThrow(/cannot hold the 256 byte-fallback tokens/);
  });

  it('fr 128 (the Tiny Poetic LLM size: no byte fallback, <unk>) = HF tokenizers', async () => {
    const r = trainSentencePieceBpe(fr.slice(0, 200), { vocabSize: 128 });
    expect(r.tokenizer.vocabSize).toBe(128);
    expect(r.byteFallback).toBe(false);
    expect(r.alphabet + r.merges + 3).toBe(128);
    expect(tokenizerFromJSON(r.tokenizer.toJSON())).toBeInstanceOf(SentencePieceBpeTokenizer);
    const ids = await sameAsHf(r.tokenizer, [...fr.slice(200), ...EDGE]);
    expect(ids).toBeGreaterThan(20_000);
  });

  it('ru 1k with byte fallback and user-defined symbols = HF tokenizers', async () => {
    const r = trainSentencePieceBpe(ru.slice(0, 150), { vocabSize: 1000, userDefinedSymbols: ['«', '»', '—', '…'] });
    expect(r.byteFallback).toBe(true);
    expect(r.tokenizer.vocabSize).toBe(1000);
    const texts = [...ru.slice(150), ...fr.slice(200, 210), ...EDGE];
    await sameAsHf(r.tokenizer, texts);
    // transformers.js's tokenizer (the web build's) too; its decode cleans spaces before punctuation unless told not to
    const js = new JsTokenizer(r.tokenizer.toJSON() as never, {});
    for (const t of texts) {
      const ids = r.tokenizer.encode(t);
      expect(js.encode(t, { add_special_tokens: false }).ids, JSON.stringify(t.slice(0, 80))).toEqual(ids);
      if (ids.length) expect(js.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false })).toBe(r.tokenizer.decode(ids));
    }
    const ids = texts.flatMap((t) => r.tokenizer.encode(t));
    expect(ids.filter((id) => id >= 7 && id < 263).length).toBeGreaterThan(100); // Latin accents and rare characters went through <0xXX>
    expect(ids).toContain(r.tokenizer.tokenToId('—'));
  });

  it('en + tiny Shakespeare 8k, prepend_scheme always = HF tokenizers', async () => {
    const r = trainSentencePieceBpe([...en.slice(0, 150), ...sh.slice(0, 1200)], { vocabSize: 8000, prependScheme: 'always', userDefinedSymbols: ['\n\n'] });
    expect(r.tokenizer.vocabSize).toBe(8000);
    await sameAsHf(r.tokenizer, [...en.slice(150), sh.slice(1200).join('\n'), ...ru.slice(0, 5), ...EDGE]);
  });
});

describe('a trained sp_bpe with the chat tokens', () => {
  it('withChatTokens appends <|system|> <|user|> <|assistant|> <|end|> after the vocabulary; HF tokenizers agree', async () => {
    const { withChatTokens } = await import('../../../src/model/tokenizer/addSpecialTokens.ts');
    const base = trainSentencePieceBpe(en.slice(0, 40), { vocabSize: 600 }).tokenizer;
    const { tokenizer, added } = withChatTokens(base);
    expect(added).toEqual(['<|system|>', '<|user|>', '<|assistant|>', '<|end|>']);
    expect(tokenizer.vocabSize).toBe(604);
    expect((tokenizer as SentencePieceBpeTokenizer).tokenToId('<|end|>')).toBe(603);
    expect(tokenizer).toBeInstanceOf(SentencePieceBpeTokenizer);
    const text = '<|user|>\nWrite a rhyme<|end|>\n<|assistant|>\nThe sea, the sea<|end|>';
    await sameAsHf(tokenizer as SentencePieceBpeTokenizer, [text, ...en.slice(40, 45)]);
    expect(tokenizer.encode(text).filter((id) => id >= 600)).toEqual([601, 603, 602, 603]);
    expect(tokenizer.decode(tokenizer.encode(text))).toBe('\nWrite a rhyme\n\nThe sea, the sea'); // specials dropped on decode
  });
});
