import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { charDocFromHf, charTokenizerJson, hfTokenizerJson, specialIdsOf, specialTokensMap, tokenizerConfigJson } from '../../../../src/model/formats/hf/hfTokenizer.ts';
import { trainBpe } from '../../../../src/model/tokenizer/bpeTrainer.ts';
import { CharTokenizer } from '../../../../src/model/tokenizer/charTokenizer.ts';
import { samplePoems, TRICKY_TEXTS } from '../../tokenizer/hfReference.ts';

const poems = samplePoems();
const chars = CharTokenizer.fromTexts(poems.slice(0, 150));

describe('charTokenizerJson', () => {
  it('HF tokenizers (Rust) and transformers.js load it and give CharTokenizer\'s ids on every sample poem and tricky text, unseen characters as [UNK]', async () => {
    const hf = HfTokenizer.fromString(JSON.stringify(charTokenizerJson(chars)));
    const js = new JsTokenizer(charTokenizerJson(chars) as never, {});
    // texts that contain a special token's literal string are the documented exception
    const texts = [...poems, ...TRICKY_TEXTS.filter((t) => !/\[(EOS|PAD|UNK)\]/.test(t))];
    let unk = 0;
    for (const text of texts) {
      const ids = chars.encode(text);
      unk += ids.filter((i) => i === chars.unkId).length;
      expect((await hf.encode(text)).getIds(), text.slice(0, 40)).toEqual(ids);
      expect(js.encode(text, { add_special_tokens: false }).ids, text.slice(0, 40)).toEqual(ids);
    }
    expect(unk).toBeGreaterThan(0); // the later poems and tricky texts have characters the vocabulary lacks
  });

  it('decodes to the same text, specials skipped', async () => {
    const hf = HfTokenizer.fromString(JSON.stringify(charTokenizerJson(chars)));
    const ids = [chars.eosId, ...chars.encode(poems[3]), chars.eosId, chars.padId];
    expect(await hf.decode(ids, true)).toBe(chars.decode(ids));
    expect(new JsTokenizer(charTokenizerJson(chars) as never, {}).decode(ids, { skip_special_tokens: true })).toBe(chars.decode(ids));
  });

  it('a literal "[EOS]" in a text is one special id in HF, five characters in Versiflow (the documented difference)', async () => {
    const hf = HfTokenizer.fromString(JSON.stringify(charTokenizerJson(chars)));
    expect((await hf.encode('а[EOS]')).getIds()).toEqual([...chars.encode('а'), 1]);
    expect(chars.encode('а[EOS]').length).toBe(6);
  });

  it('charDocFromHf gives back the char tokenizer (same hash); other documents are not char tokenizers', () => {
    const doc = charDocFromHf(JSON.parse(JSON.stringify(charTokenizerJson(chars))))!;
    expect(CharTokenizer.fromJSON(doc).hash).toBe(chars.hash);
    const bpe = trainBpe(poems.slice(0, 40), { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    expect(charDocFromHf(bpe.toJSON())).toBeNull();
    const gap = charTokenizerJson(chars) as { model: { vocab: Record<string, number> } };
    expect(charDocFromHf({ ...charTokenizerJson(chars), model: { ...(gap.model as object), merges: [['a', 'b']] } })).toBeNull();
    delete gap.model.vocab[chars.chars[5]];
    expect(charDocFromHf(gap as Record<string, unknown>)).toBeNull();
  });
});

describe('tokenizer_config.json and special_tokens_map.json', () => {
  it('BPE: the document as it is; EOS doubles as BOS; no BOS/EOS added on encode, no space clean-up', () => {
    const bpe = trainBpe(poems.slice(0, 40), { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    const doc = hfTokenizerJson(bpe);
    expect(doc).toEqual(bpe.toJSON());
    const cfg = tokenizerConfigJson(bpe, doc, 256);
    expect(cfg).toMatchObject({ tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: 256, add_bos_token: false, add_eos_token: false, clean_up_tokenization_spaces: false, bos_token: '[EOS]', eos_token: '[EOS]', pad_token: '[PAD]', unk_token: '[UNK]' });
    expect((cfg.added_tokens_decoder as Record<string, { content: string; special: boolean }>)['1']).toMatchObject({ content: '[EOS]', special: true });
    expect(specialTokensMap(bpe, doc)).toEqual({ bos_token: '[EOS]', eos_token: '[EOS]', pad_token: '[PAD]', unk_token: '[UNK]' });
    expect(specialIdsOf(bpe)).toEqual({ bos: bpe.eosId, eos: bpe.eosId, pad: bpe.padId });
  });

  it('a BPE tokenizer without specials leaves the roles out', () => {
    const bpe = trainBpe(poems.slice(0, 20), { vocabSize: 280, specialTokens: [] });
    expect(specialTokensMap(bpe, bpe.toJSON())).toEqual({});
    expect(specialIdsOf(bpe)).toEqual({ bos: null, eos: null, pad: null });
  });
});
