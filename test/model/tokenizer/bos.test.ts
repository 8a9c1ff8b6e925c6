import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { BpeTokenizer } from '../../../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { encodeChat } from '../../../src/model/tokenizer/chatTemplate.ts';
import { encodeDocument, promptIds } from '../../../src/model/tokenizer/documentIds.ts';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { trainSentencePieceBpe } from '../../../src/model/tokenizer/sentencePieceBpeTrainer.ts';
import { withBos } from '../../../src/model/tokenizer/withBos.ts';
import { withChatTokens } from '../../../src/model/tokenizer/addSpecialTokens.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { charDocFromHf, charTokenizerJson } from '../../../src/model/formats/hf/hfTokenizer.ts';
import { samplePoems, TRICKY_TEXTS } from './hfReference.ts';

/**
 * The BOS token (bos_token, issue #21's 1gpu-llm): trainers add it when asked, the tokenizer.json
 * records it as HF's TemplateProcessing, and HF `tokenizers` (Rust) and @huggingface/tokenizers
 * (transformers.js) encode a text from that file to Versiflow's document ids, BOS included.
 */

const POEMS = samplePoems().slice(0, 120);
const TEXTS = [...TRICKY_TEXTS, ...POEMS.slice(0, 30)];

describe('BOS on the byte-level BPE', () => {
  const plain = trainBpe(POEMS, { vocabSize: 400, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const bos = trainBpe(POEMS, { vocabSize: 400, specialTokens: ['[PAD]', '[EOS]', '[UNK]'], bos: true });

  it('the trainer appends [BOS] after the specials (id 3), the same merges otherwise; encode adds nothing, encodeDocument puts it first', () => {
    expect([plain.addBos, plain.bosId]).toEqual([false, -1]);
    expect([bos.addBos, bos.bosId, bos.tokenToId('[BOS]'), bos.eosId]).toEqual([true, 3, 3, 1]);
    expect(bos.spec.merges).toEqual(plain.spec.merges.slice(0, bos.spec.merges.length));
    const t = 'Мороз и солнце';
    // [BOS] takes one vocabulary slot, so the BOS tokenizer has one merge fewer; the first 3 specials and the bytes keep their ids
    expect(bos.encode('ab')).toEqual(plain.encode('ab').map((id) => id + 1));
    expect(encodeDocument(bos, t)).toEqual([3, ...bos.encode(t)]);
    expect(encodeDocument(plain, t)).toEqual(plain.encode(t));
    expect(promptIds(bos, '')).toEqual([3]);
    expect(promptIds(plain, '')).toEqual([1]); // EOS, as before
    expect(bos.decode(encodeDocument(bos, t))).toBe(t); // the BOS is special: decoding drops it
  });

  it('its tokenizer.json has a TemplateProcessing post_processor; reloaded it still adds BOS (same hash); the hash differs from the same vocabulary without BOS', () => {
    const doc = bos.toJSON();
    expect(doc.post_processor).toMatchObject({ type: 'TemplateProcessing', special_tokens: { '[BOS]': { ids: [3] } } });
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(doc)));
    expect([again.addBos, again.bosId, again.hash]).toEqual([true, 3, bos.hash]);
    const noBos = new BpeTokenizer({ ...bos.spec, bosToken: null });
    expect(noBos.addBos).toBe(false);
    expect(noBos.hash).not.toBe(bos.hash);
    expect(withBos(noBos).hash).toBe(bos.hash);
  });

  it('HF tokenizers (Rust) and transformers.js encode a text from the tokenizer.json to the same ids, BOS first', async () => {
    const json = JSON.stringify(bos.toJSON());
    const rust = HfTokenizer.fromString(json);
    const js = new JsTokenizer(JSON.parse(json) as never, {});
    let n = 0;
    for (const text of TEXTS) {
      const ids = encodeDocument(bos, text);
      expect((await rust.encode(text)).getIds(), text).toEqual(ids);
      expect(js.encode(text).ids, text).toEqual(ids);
      n += ids.length;
    }
    expect(n).toBeGreaterThan(1000);
    // without BOS the same files add nothing
    const rustPlain = HfTokenizer.fromString(JSON.stringify(plain.toJSON()));
    expect((await rustPlain.encode(TEXTS[0])).getIds()).toEqual(plain.encode(TEXTS[0]));
  });

  it('withBos uses a loaded tokenizer\'s own BOS: GPT-2\'s <|endoftext|> when it has nothing else; refuses a tokenizer with none; a chat conversation starts with it', () => {
    const gpt2ish = trainBpe(POEMS, { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
    const g = withBos(gpt2ish);
    expect([g.addBos, g.bosId, g.eosId]).toEqual([true, 0, 0]);
    const none = trainBpe(POEMS, { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]'] });
    expect(() => withBos(none)).toThrow(/has no BOS token .*--bos/);
    const chat = withChatTokens(bos).tokenizer;
    expect(chat.addBos).toBe(true);
    expect(encodeChat(chat, [{ role: 'user', content: 'Hi' }]).ids[0]).toBe(3);
    expect(encodeChat(chat, [{ role: 'user', content: 'Hi' }]).mask[0]).toBe(0);
  });

  it('a post_processor that does more than put one token first is refused for byte-level BPE (its ids would differ from HF)', () => {
    const doc = bos.toJSON();
    const tpl = doc.post_processor as { single: unknown[] };
    const appendsEos = { ...doc, post_processor: { ...tpl, single: [...tpl.single, { SpecialToken: { id: '[EOS]', type_id: 0 } }] } };
    expect(() => tokenizerFromJSON(appendsEos)).toThrow(/unsupported post_processor = TemplateProcessing/);
  });
});

describe('BOS on the SentencePiece-style BPE', () => {
  it('sp_bpe with bos keeps <s> (id 1) and writes Llama\'s template; HF tokenizers and transformers.js give the same ids', async () => {
    const plain = trainSentencePieceBpe(POEMS, { vocabSize: 600 }).tokenizer;
    const r = trainSentencePieceBpe(POEMS, { vocabSize: 600, bos: true });
    const tok = r.tokenizer;
    expect([plain.addBos, plain.bosId]).toEqual([false, 1]); // <s> is there, not added
    expect([tok.addBos, tok.bosId]).toEqual([true, 1]);
    expect(tok.spec.merges).toEqual(plain.spec.merges); // the same vocabulary: only the post_processor differs
    expect(tok.hash).not.toBe(plain.hash);
    const rust = HfTokenizer.fromString(JSON.stringify(tok.toJSON()));
    const js = new JsTokenizer(tok.toJSON() as never, {});
    for (const text of TEXTS) {
      const ids = encodeDocument(tok, text);
      expect(ids[0]).toBe(1);
      expect((await rust.encode(text)).getIds(), text).toEqual(ids);
      expect(js.encode(text).ids, text).toEqual(ids);
    }
    // specials without a BOS get <s> appended
    const noS = trainSentencePieceBpe(POEMS, { vocabSize: 600, specialTokens: ['<unk>', '</s>'], bos: true }).tokenizer;
    expect([noS.bosId, noS.tokenToId('<s>'), noS.addBos]).toEqual([2, 2, true]);
  });
});

describe('BOS on the char tokenizer', () => {
  it('[BOS] goes after the characters (their ids stay), decoding drops it; its HF form encodes with it first in HF tokenizers and reads back', async () => {
    const chars = [...'abc пр'];
    const plain = new CharTokenizer(chars);
    const bos = withBos(plain) as CharTokenizer;
    expect([bos.addBos, bos.bosId, bos.vocabSize, plain.vocabSize]).toEqual([true, 9, 10, 9]);
    expect(bos.encode('ab р')).toEqual(plain.encode('ab р'));
    expect(encodeDocument(bos, 'ab р')).toEqual([9, ...plain.encode('ab р')]);
    expect(bos.decode([9, 3, 4])).toBe('ab');
    expect(bos.hash).not.toBe(plain.hash);
    expect(CharTokenizer.fromJSON(bos.toJSON()).hash).toBe(bos.hash);
    const doc = charTokenizerJson(bos);
    const rust = HfTokenizer.fromString(JSON.stringify(doc));
    for (const text of ['ab c', 'пр a', 'xyz']) expect((await rust.encode(text)).getIds(), text).toEqual(encodeDocument(bos, text));
    expect(CharTokenizer.fromJSON(charDocFromHf(doc)!).hash).toBe(bos.hash);
    expect(CharTokenizer.fromJSON(charDocFromHf(charTokenizerJson(plain))!).hash).toBe(plain.hash);
  });
});
