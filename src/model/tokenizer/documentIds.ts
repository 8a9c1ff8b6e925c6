import type { Tokenizer } from './types.ts';

/**
 * A document's ids as training reads them, before the EOS it ends with: the tokenizer's BOS first when it
 * adds one (`addBos`, the bos_token key), then `encode(text)`. The one place data preparation (in
 * this thread and in the tokenizing workers), scoring and generation turn a text into a sequence start.
 */
export function encodeDocument(tokenizer: Tokenizer, text: string): number[] {
  const ids = tokenizer.encode(text);
  if (tokenizer.addBos) ids.unshift(tokenizer.bosId);
  return ids;
}

/**
 * A generation prompt's ids, as training saw a document begin: {@link encodeDocument}; an empty prompt
 * is the token a document starts after: BOS when the tokenizer adds one, else EOS (as GPT-2's
 * <|endoftext|>), else id 0.
 */
export function promptIds(tokenizer: Tokenizer, text: string): number[] {
  if (text) return encodeDocument(tokenizer, text);
  return [tokenizer.addBos ? tokenizer.bosId : Math.max(0, tokenizer.eosId)];
}
