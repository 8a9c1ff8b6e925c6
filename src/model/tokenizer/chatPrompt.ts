import { type ChatTurn, encodeChat, specialTokenId } from './chatTemplate.ts';
import type { Tokenizer } from './types.ts';

/** A conversation to continue as the assistant: its turns and an optional system prompt (used when the turns have none). */
export interface ChatPrompt {
  readonly messages: readonly ChatTurn[];
  readonly system?: string;
}

/**
 * Ids of a conversation rendered by the chat template with the assistant header appended, at most
 * `budget` tokens: the oldest turns are dropped first, a user turn and the answers after it at a
 * time, and the system prompt is always kept. `dropped` counts the turns left out. Throws a
 * RangeError when the system prompt and the last user turn alone do not fit.
 */
export function chatPromptIds(tokenizer: Tokenizer, prompt: ChatPrompt, budget: number): { ids: number[]; dropped: number } {
  const system = prompt.messages[0]?.role === 'system' ? [prompt.messages[0]] : prompt.system !== undefined ? [{ role: 'system' as const, content: prompt.system }] : [];
  const rest = prompt.messages.filter((t) => t.role !== 'system');
  for (let k = 0; k < rest.length || k === 0; k++) {
    if (k > 0 && rest[k]?.role !== 'user') continue; // start at a user turn
    const { ids } = encodeChat(tokenizer, [...system, ...rest.slice(k)], { addGenerationPrompt: true });
    if (ids.length <= budget) return { ids, dropped: k };
  }
  const { ids } = encodeChat(tokenizer, [...system, ...rest.slice(-1)], { addGenerationPrompt: true });
  throw new RangeError(`the system prompt and the last message take ${ids.length} tokens; the model's context leaves ${budget} for the prompt: shorten them`);
}

/**
 * The prompt budget for a chat answer of up to `maxNewTokens` in a `context`-token window: what the
 * answer leaves, but at least half the window (longer answers slide the window as generate does).
 */
export function chatBudget(context: number, maxNewTokens: number): number {
  return Math.max(context - maxNewTokens, Math.floor(context / 2));
}

/** Ids that end an assistant turn: `<|end|>`, and the tokenizer's EOS when it has one. */
export function chatStopIds(tokenizer: Tokenizer): number[] {
  const end = specialTokenId(tokenizer, '<|end|>');
  return [end, tokenizer.eosId].filter((id) => id >= 0);
}
