import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TEMPLATE, CHAT_TOKENS, type ChatTurn, encodeChat, hasChatTokens, renderChat } from '../../../src/model/tokenizer/chatTemplate.ts';

const TEXTS = [
  'Привет! Как дела? Hello, how are you today?',
  'The weather is fine, thank you. Погода хорошая, спасибо.',
  'Can you recommend a book? Посоветуй книгу, пожалуйста.',
];
const turns: ChatTurn[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: '  Привет! Как дела?\n' },
  { role: 'assistant', content: 'Hello, how are you today?' },
  { role: 'user', content: 'Can you recommend a book?' },
  { role: 'assistant', content: 'Посоветую «Мастер и Маргарита».\n\nIt is a fine book.' },
];

function jinja(messages: readonly ChatTurn[], addGenerationPrompt: boolean): string {
  return new Template(CHAT_TEMPLATE).render({ messages: messages as unknown as Record<string, string>[], add_generation_prompt: addGenerationPrompt, bos_token: '', eos_token: '<|endoftext|>' });
}

describe('chat template', () => {
  const tok = trainBpe(TEXTS, { vocabSize: 400, specialTokens: ['<|endoftext|>', ...CHAT_TOKENS] });

  it('renderChat equals the Jinja chat_template rendered by @huggingface/jinja', () => {
    for (const gen of [false, true]) expect(renderChat(turns, { addGenerationPrompt: gen })).toBe(jinja(turns, gen));
    expect(renderChat(turns.slice(0, 2))).toBe('<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nПривет! Как дела?<|end|>\n');
    expect(renderChat(turns.slice(1, 2), { systemPrompt: 'Be brief.', addGenerationPrompt: true })).toBe(
      jinja([{ role: 'system', content: 'Be brief.' }, turns[1]], true),
    );
    expect(renderChat(turns.slice(1, 2), { addGenerationPrompt: true })).toBe('<|user|>\nПривет! Как дела?<|end|>\n<|assistant|>\n');
  });

  it('encodeChat ids equal tokenizer.encode of the rendered text with the chat tokens atomic', () => {
    expect(hasChatTokens(tok)).toBe(true);
    for (const gen of [false, true]) {
      const { ids, mask } = encodeChat(tok, turns, { addGenerationPrompt: gen });
      expect(ids).toEqual(tok.encode(jinja(turns, gen)));
      expect(mask.length).toBe(ids.length);
    }
    const end = tok.tokenToId('<|end|>');
    expect(tok.encode('<|user|>x<|end|>')).toEqual([tok.tokenToId('<|user|>'), ...tok.encode('x'), end]);
  });

  it('masks exactly the assistant content and its <|end|>', () => {
    const { ids, mask } = encodeChat(tok, turns);
    const trained = ids.filter((_, i) => mask[i] === 1);
    const end = tok.tokenToId('<|end|>');
    const expected = [...tok.encode('Hello, how are you today?'), end, ...tok.encode('Посоветую «Мастер и Маргарита».\n\nIt is a fine book.'), end];
    expect(trained).toEqual(expected);
    // the token right before each trained span is the header's newline, untrained
    const first = mask.indexOf(1);
    expect(tok.decode([ids[first - 1]])).toBe('\n');
    expect(ids[first - 2]).toBe(tok.tokenToId('<|assistant|>'));
  });

  it('rejects tokenizers without chat tokens and unknown roles', () => {
    const plain = trainBpe(TEXTS, { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
    expect(hasChatTokens(plain)).toBe(false);
    expect(() => encodeChat(plain, turns)).toThrow(/no atomic special token <\|system\|>/);
    expect(() => renderChat([{ role: 'bot' as never, content: 'x' }])).toThrow(/role "bot"/);
  });
});
