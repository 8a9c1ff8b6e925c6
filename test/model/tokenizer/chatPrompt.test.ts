import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { chatBudget, chatPromptIds, chatStopIds } from '../../../src/model/tokenizer/chatPrompt.ts';
import { CHAT_TOKENS, type ChatTurn, encodeChat } from '../../../src/model/tokenizer/chatTemplate.ts';

const tok = trainBpe(['one two three four five six seven eight nine ten'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS] });
const turns: ChatTurn[] = [
  { role: 'user', content: 'one two' },
  { role: 'assistant', content: 'three four' },
  { role: 'user', content: 'five six' },
  { role: 'assistant', content: 'seven' },
  { role: 'user', content: 'eight nine ten' },
];
const len = (t: ChatTurn[]) => encodeChat(tok, t, { addGenerationPrompt: true }).ids.length;

describe('chatPromptIds', () => {
  it('keeps the whole conversation when it fits', () => {
    const all = [{ role: 'system' as const, content: 'Be brief.' }, ...turns];
    expect(chatPromptIds(tok, { messages: turns, system: 'Be brief.' }, 10_000)).toEqual({ ids: encodeChat(tok, all, { addGenerationPrompt: true }).ids, dropped: 0 });
  });

  it('drops the oldest exchanges first and keeps the system prompt', () => {
    const sys: ChatTurn = { role: 'system', content: 'Be brief.' };
    const full = len([sys, ...turns]);
    const withoutFirst = len([sys, ...turns.slice(2)]);
    const lastOnly = len([sys, ...turns.slice(4)]);
    expect(withoutFirst).toBeLessThan(full);
    // one token short of everything: the first user/assistant exchange goes (never a lone assistant turn first)
    expect(chatPromptIds(tok, { messages: [sys, ...turns] }, full - 1)).toEqual({ ids: encodeChat(tok, [sys, ...turns.slice(2)], { addGenerationPrompt: true }).ids, dropped: 2 });
    expect(chatPromptIds(tok, { messages: turns, system: 'Be brief.' }, withoutFirst - 1).dropped).toBe(4);
    expect(chatPromptIds(tok, { messages: turns, system: 'Be brief.' }, lastOnly).ids).toEqual(encodeChat(tok, [sys, turns[4]], { addGenerationPrompt: true }).ids);
    expect(() => chatPromptIds(tok, { messages: turns, system: 'Be brief.' }, lastOnly - 1)).toThrow(`the system prompt and the last message take ${lastOnly} tokens; the model's context leaves ${lastOnly - 1}`);
  });

  it('budget and stop ids', () => {
    expect(chatBudget(256, 200)).toBe(128);
    expect(chatBudget(256, 64)).toBe(192);
    expect(chatStopIds(tok)).toEqual([tok.tokenToId('<|end|>'), tok.tokenToId('[EOS]')]);
  });
});
