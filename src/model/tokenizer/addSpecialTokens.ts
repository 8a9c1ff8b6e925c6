import { BpeTokenizer } from './bpeTokenizer.ts';
import { SentencePieceBpeTokenizer } from './sentencePieceBpeTokenizer.ts';
import { CHAT_TOKENS } from './chatTemplate.ts';
import type { AddedToken } from './pretokenize.ts';
import type { Tokenizer } from './types.ts';

/**
 * `tokenizer` with `tokens` added as atomic special tokens (HF `add_special_tokens`): tokens it already
 * has keep their ids, new ones get ids appended after the vocabulary in the order given, so every
 * existing id keeps its meaning and an embedding table only grows at the end. An added token is
 * matched whole before pre-tokenization, so no merge ever splits it. Byte-level and SentencePiece-style
 * BPE tokenizers can be extended; a char tokenizer throws (train a BPE tokenizer for chat models).
 */
export function addSpecialTokens(tokenizer: Tokenizer, tokens: readonly string[]): { tokenizer: Tokenizer; added: string[] } {
  if (tokenizer instanceof SentencePieceBpeTokenizer) return addToSentencePiece(tokenizer, tokens);
  if (!(tokenizer instanceof BpeTokenizer)) {
    throw new Error(`a ${tokenizer.kind} tokenizer cannot take special tokens (${tokens.join(' ')}): use a byte-level BPE tokenizer (tokenizer: PATH.json with vocab_size)`);
  }
  const spec = tokenizer.spec;
  const fresh = newSpecials(spec, tokenizer.vocabSize, tokens);
  const added = fresh.map((t) => t.content);
  if (fresh.length === 0) return { tokenizer, added };
  const extra: AddedToken[] = fresh.map(({ id, content }) => ({ id, content, special: true, singleWord: false, lstrip: false, rstrip: false, normalized: false }));
  return { tokenizer: new BpeTokenizer({ ...spec, addedTokens: [...spec.addedTokens, ...extra] }), added };
}

/** The SentencePiece-style case: the new tokens appended to the document's added_tokens (HF's own add_special_tokens). */
function addToSentencePiece(tokenizer: SentencePieceBpeTokenizer, tokens: readonly string[]): { tokenizer: Tokenizer; added: string[] } {
  const spec = tokenizer.spec;
  const fresh = newSpecials(spec, tokenizer.vocabSize, tokens);
  const added = fresh.map((t) => t.content);
  if (fresh.length === 0) return { tokenizer, added };
  const extra = fresh.map(({ id, content }) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const doc = spec.doc;
  return { tokenizer: SentencePieceBpeTokenizer.fromJSON({ ...doc, added_tokens: [...(Array.isArray(doc.added_tokens) ? doc.added_tokens : []), ...extra] }), added };
}

/** {@link addSpecialTokens} with the four chat tokens. */
export function withChatTokens(tokenizer: Tokenizer): { tokenizer: Tokenizer; added: string[] } {
  return addSpecialTokens(tokenizer, CHAT_TOKENS);
}

/**
 * Which of `tokens` are new specials, with the ids they get from `firstId` on: one already special is
 * skipped; one already an ordinary token (vocabulary or added) is refused, since it would change id.
 */
function newSpecials(spec: { readonly addedTokens: readonly { readonly content: string; readonly special: boolean }[]; readonly vocab: { has(s: string): boolean } }, firstId: number, tokens: readonly string[]): { id: number; content: string }[] {
  const fresh: { id: number; content: string }[] = [];
  for (const content of new Set(tokens)) {
    const existing = spec.addedTokens.find((t) => t.content === content);
    if (existing?.special) continue;
    if (existing || spec.vocab.has(content)) throw new Error(`the tokenizer already has "${content}" as an ordinary token; it cannot become a special token without changing its id`);
    fresh.push({ id: firstId + fresh.length, content });
  }
  return fresh;
}
