import { Tokenizer as HfTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { addSpecialTokens, withChatTokens } from '../../../src/model/tokenizer/addSpecialTokens.ts';
import { BpeTokenizer } from '../../../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { encodeChat, hasChatTokens, renderChat } from '../../../src/model/tokenizer/chatTemplate.ts';

const TEXTS = ['Hello there, my friend. <|user|> is not special yet.', 'Привет, друг! Как дела? end|> <|', 'The end of the story.'];

describe('addSpecialTokens', () => {
  const base = trainBpe(TEXTS, { vocabSize: 330, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });

  it('appends the chat tokens after the vocabulary, keeps every old id, matches HF tokenizers', async () => {
    const { tokenizer, added } = withChatTokens(base);
    expect(added).toEqual(['<|system|>', '<|user|>', '<|assistant|>', '<|end|>']);
    expect(tokenizer.vocabSize).toBe(base.vocabSize + 4);
    const t = tokenizer as BpeTokenizer;
    expect(added.map((s) => t.tokenToId(s))).toEqual([0, 1, 2, 3].map((i) => base.vocabSize + i));
    expect(hasChatTokens(base)).toBe(false);
    expect(hasChatTokens(tokenizer)).toBe(true);
    for (const text of TEXTS) if (!text.includes('<|user|>')) expect(tokenizer.encode(text)).toEqual(base.encode(text));
    // atomic: never split, even glued to text; decoding drops them (special)
    const glued = 'a<|end|>b<|assistant|><|user|>';
    expect(tokenizer.encode(glued)).toEqual([...base.encode('a'), t.tokenToId('<|end|>'), ...base.encode('b'), t.tokenToId('<|assistant|>'), t.tokenToId('<|user|>')]);
    expect(tokenizer.decode(tokenizer.encode(glued))).toBe('ab');
    // the same tokenizer.json in HF's Rust tokenizers gives the same ids
    const rust = HfTokenizer.fromString(JSON.stringify(tokenizer.toJSON()));
    const chat = renderChat([{ role: 'user', content: 'Привет, друг!' }, { role: 'assistant', content: 'Hello there.' }], { systemPrompt: 'Be kind.' });
    for (const text of [...TEXTS, glued, chat]) expect((await rust.encode(text)).getIds(), text).toEqual(tokenizer.encode(text));
    expect(encodeChat(tokenizer, [{ role: 'user', content: 'Hi' }]).ids).toEqual((await rust.encode(renderChat([{ role: 'user', content: 'Hi' }]))).getIds());
    // a reloaded document keeps them
    expect(hasChatTokens(BpeTokenizer.fromJSON(tokenizer.toJSON()))).toBe(true);
  });

  it('is idempotent and refuses what it cannot do', () => {
    const once = withChatTokens(base).tokenizer;
    const twice = withChatTokens(once);
    expect(twice.added).toEqual([]);
    expect(twice.tokenizer).toBe(once);
    const partial = addSpecialTokens(addSpecialTokens(base, ['<|end|>']).tokenizer, ['<|system|>', '<|end|>']);
    expect(partial.added).toEqual(['<|system|>']);
    expect(() => addSpecialTokens(base, ['a'])).toThrow(/already has "a" as an ordinary token/);
    expect(() => withChatTokens(new CharTokenizer(['a', 'b']))).toThrow(/char tokenizer cannot take special tokens/);
  });
});
