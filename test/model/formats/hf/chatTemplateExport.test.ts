import { PreTrainedTokenizer } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { hfTokenizerJson, tokenizerConfigJson } from '../../../../src/model/formats/hf/hfTokenizer.ts';
import { withChatTokens } from '../../../../src/model/tokenizer/addSpecialTokens.ts';
import { trainBpe } from '../../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TEMPLATE, type ChatTurn, encodeChat, renderChat } from '../../../../src/model/tokenizer/chatTemplate.ts';
import { samplePoems } from '../../tokenizer/hfReference.ts';

describe('chat_template in tokenizer_config.json', () => {
  const plain = trainBpe(samplePoems().slice(0, 40), { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const chat = withChatTokens(plain).tokenizer;

  it('is written only for a tokenizer with the chat tokens', () => {
    expect(tokenizerConfigJson(plain, hfTokenizerJson(plain), 64).chat_template).toBeUndefined();
    expect(tokenizerConfigJson(chat, hfTokenizerJson(chat), 64).chat_template).toBe(CHAT_TEMPLATE);
  });

  it("transformers.js's apply_chat_template renders and tokenizes what Versiflow trains on", () => {
    const doc = hfTokenizerJson(chat);
    const hf = new PreTrainedTokenizer(doc as never, tokenizerConfigJson(chat, doc, 64) as never);
    const turns: ChatTurn[] = [
      { role: 'system', content: 'Отвечай коротко.' },
      { role: 'user', content: 'Как пройти к морю?' },
      { role: 'assistant', content: 'Идите прямо, потом налево.' },
      { role: 'user', content: 'Thanks!' },
    ];
    const text = hf.apply_chat_template(turns as never, { tokenize: false, add_generation_prompt: true }) as unknown as string;
    expect(text).toBe(renderChat(turns, { addGenerationPrompt: true }));
    const ids = hf.apply_chat_template(turns as never, { tokenize: true, add_generation_prompt: true, return_tensor: false }) as unknown as { input_ids: number[] };
    expect(ids.input_ids).toEqual(encodeChat(chat, turns, { addGenerationPrompt: true }).ids);
  });
});
