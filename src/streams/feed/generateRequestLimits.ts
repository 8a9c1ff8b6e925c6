import type { ClientGenerateOptions, GenerateLimits, GeneratePrompt } from './generateProtocol.ts';

export interface RequestCheckContext {
  readonly limits: GenerateLimits;
  /** The model has chat tokens (a `messages` request can be rendered). */
  readonly chat: boolean;
  /** Counts a prompt's tokens (the model's tokenizer); without it prompts are not bounded. */
  readonly countTokens?: (prompt: string) => number;
}

/**
 * Checks a request against the server's limits before it runs: `maxNewTokens` at most the server's, a
 * text prompt at most `maxPromptTokens` tokens, a conversation only for a chat model and bounded in
 * characters. Returns the error message for the client, or undefined when the request may run.
 */
export function requestOverLimit(prompt: GeneratePrompt, o: ClientGenerateOptions, ctx: RequestCheckContext): string | undefined {
  const { limits } = ctx;
  if (o.maxNewTokens !== undefined && o.maxNewTokens > limits.maxNewTokens) {
    return `options.maxNewTokens ${o.maxNewTokens} is over this server's limit of ${limits.maxNewTokens} (serve --max-new-tokens-limit); ask for at most ${limits.maxNewTokens}`;
  }
  if (typeof prompt !== 'string') {
    // a conversation is fitted to the context by dropping its oldest turns; only its size in characters is bounded here
    if (!ctx.chat) return 'this model has no chat tokens (its tokenizer lacks <|user|>, <|assistant|>, <|end|>): send a text "prompt" instead of "messages"';
    const chars = prompt.messages.reduce((n, t) => n + t.content.length, prompt.system?.length ?? 0);
    return chars > limits.maxPromptTokens * 256 ? `the conversation is ${chars} characters; the limit is ${limits.maxPromptTokens * 256}: send fewer or shorter messages` : undefined;
  }
  if (!ctx.countTokens) return undefined;
  // bounds the tokenizing work one request can cause: a prompt of over 256 characters per allowed
  // token is refused uncounted (no tokenizer of ours has tokens that long on average)
  let n: number;
  try {
    n = prompt.length > limits.maxPromptTokens * 256 ? Infinity : ctx.countTokens(prompt);
  } catch (e) {
    return `cannot tokenize the prompt: ${(e as Error).message}`;
  }
  if (n <= limits.maxPromptTokens) return undefined;
  const count = Number.isFinite(n) ? `${n} tokens` : `${prompt.length} characters`;
  return `prompt is ${count}; the limit is ${limits.maxPromptTokens} tokens (the model's context): shorten it`;
}
