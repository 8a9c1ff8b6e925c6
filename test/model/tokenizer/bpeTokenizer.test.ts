import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR } from '../../../src/model/tokenizer/byteLevel.ts';
import { BpeTokenizer } from '../../../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { asFileLines, samplePoems, TRICKY_TEXTS, trainHfReference } from './hfReference.ts';

const SPECIALS = ['[PAD]', '[EOS]', '[UNK]'];
const USER_SYMBOLS = ['«', '»', '—', '…'];

describe('BpeTokenizer against HF tokenizers', () => {
  const poems = samplePoems();
  const texts = [...TRICKY_TEXTS, ...poems.slice(0, 40), ...poems.slice(200, 220), ...poems.slice(250, 270)];
  let ours: BpeTokenizer;
  let hfRef: Record<string, any>;

  beforeAll(() => {
    ours = trainBpe(asFileLines(poems), { vocabSize: 3000, specialTokens: SPECIALS, userSymbols: USER_SYMBOLS });
    hfRef = trainHfReference(poems);
  });

  it('(a) a tokenizer.json trained here gives identical ids and decodes in HF Rust and HF JS', async () => {
    const json = JSON.stringify(ours.toJSON());
    const rust = HfTokenizer.fromString(json);
    const js = new JsTokenizer(JSON.parse(json), {});
    for (const text of texts) {
      const ids = ours.encode(text);
      const rustIds = (await rust.encode(text)).getIds();
      expect(rustIds, text).toEqual(ids);
      expect(js.encode(text).ids, text).toEqual(ids);
      const decoded = ours.decode(ids);
      expect(await rust.decode(ids, true)).toBe(decoded);
      if (ids.length) expect(js.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false })).toBe(decoded);
    }
  });

  it('(b) a tokenizer.json trained by HF loads here with identical ids (merges as pairs or "a b" strings)', async () => {
    const rust = HfTokenizer.fromString(JSON.stringify(hfRef));
    const asPairs = BpeTokenizer.fromJSON(hfRef);
    const stringMerges = { ...hfRef, model: { ...hfRef.model, merges: hfRef.model.merges.map((m: string[]) => m.join(' ')) } };
    const asStrings = BpeTokenizer.fromJSON(stringMerges);
    for (const text of texts) {
      const ref = (await rust.encode(text)).getIds();
      expect(asPairs.encode(text), text).toEqual(ref);
      expect(asStrings.encode(text), text).toEqual(ref);
      expect(asPairs.decode(ref)).toBe(await rust.decode(ref, true));
    }
  });

  it('round-trips text without specials exactly and maps specials and user symbols to single ids', () => {
    for (const text of TRICKY_TEXTS.slice(0, 7)) expect(ours.decode(ours.encode(text))).toBe(text);
    expect(ours.decode(ours.encode('a \ud800 b'))).toBe('a \ufffd b');
    expect([ours.padId, ours.eosId, ours.unkId]).toEqual([0, 1, 2]);
    expect(ours.encode('[EOS]')).toEqual([1]);
    expect(ours.decode([1])).toBe('');
    for (const s of USER_SYMBOLS) expect(ours.encode(s), s).toHaveLength(1);
    const ids = ours.encode('«да»—нет…');
    expect(ours.decode(ids)).toBe('«да»—нет…');
  });

  it('ignore_merges returns a whole-word vocabulary entry without merging', () => {
    const doc = ours.toJSON() as Record<string, any>;
    const vocab = { ...doc.model.vocab, 'Ġabc': Object.keys(doc.model.vocab).length };
    const plain = BpeTokenizer.fromJSON({ ...doc, model: { ...doc.model, vocab } });
    const ignoring = BpeTokenizer.fromJSON({ ...doc, model: { ...doc.model, vocab, ignore_merges: true } });
    expect(ignoring.encode(' abc')).toEqual([vocab['Ġabc']]);
    expect(plain.encode(' abc')).not.toEqual([vocab['Ġabc']]);
  });

  it('incremental decoder holds back incomplete UTF-8 and matches decode', () => {
    const text = 'Мир 😀 и «свет»';
    const ids = ours.encode(text);
    const dec = ours.decoder();
    const parts = ids.map(dec);
    expect(parts.join('')).toBe(text);
    const emojiBytes = [0xf0, 0x9f, 0x98, 0x80].map((b) => ours.tokenToId(BYTE_TO_CHAR[b]));
    const d2 = ours.decoder();
    expect(emojiBytes.map(d2)).toEqual(['', '', '', '😀']);
  });

  it('toJSON is a full HF document and fromJSON(toJSON) is the same tokenizer', () => {
    const doc = ours.toJSON() as Record<string, any>;
    expect(doc.version).toBe('1.0');
    expect(doc.added_tokens[1]).toEqual({ id: 1, content: '[EOS]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    expect(doc.model).toMatchObject({ type: 'BPE', dropout: null, fuse_unk: false, byte_fallback: false, ignore_merges: false });
    expect(doc.decoder.type).toBe('ByteLevel');
    const again = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(doc)));
    expect(again.hash).toBe(ours.hash);
    expect(again.vocabSize).toBe(3000);
  });

  it('rejects what it cannot reproduce, naming the key', () => {
    const doc = ours.toJSON() as Record<string, any>;
    expect(() => BpeTokenizer.fromJSON({ ...doc, normalizer: { type: 'NFC' } })).toThrow(/normalizer = NFC/);
    expect(() => BpeTokenizer.fromJSON({ ...doc, pre_tokenizer: { type: 'Whitespace' } })).toThrow(/pre_tokenizer = Whitespace/);
    expect(() => BpeTokenizer.fromJSON({ ...doc, model: { ...doc.model, byte_fallback: true } })).toThrow(/byte_fallback/);
    expect(() => BpeTokenizer.fromJSON({ ...doc, model: { ...doc.model, type: 'WordPiece' } })).toThrow(/model.type = WordPiece/);
  });
});
