import { DataError } from '../../core/errors/DataError.ts';
import type { SequencePair } from '../../model/nn/preference/prefBatch.ts';
import { type ChatTurn, encodeChat } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { encodeDocument } from '../../model/tokenizer/documentIds.ts';
import type { Text } from './preferenceRecords.ts';

/**
 * (prompt, completion) → token ids, as TRL's trainers tokenise them:
 * - plain text: the prompt's ids (an empty prompt becomes the EOS id, the separator the model saw
 *   between documents, so the first completion token has a position to be predicted from) and the
 *   completion's ids with EOS appended;
 * - conversational (the prompt a list of turns; a completion a list of turns or the assistant's text):
 *   the chat template over prompt + completion (src/model/tokenizer/chatTemplate.ts); the completion is
 *   what SFT trains: from the first assistant token after the prompt through its `<|end|>`; the prompt
 *   is everything before it (headers included).
 */
export function preferenceEncoder(tokenizer: Tokenizer, systemPrompt?: string): (prompt: Text, completion: Text) => SequencePair {
  return (prompt, completion) => {
    if (typeof prompt === 'string') {
      if (typeof completion !== 'string') throw new DataError('a plain-text prompt needs a plain-text completion (or give the prompt as a list of turns)');
      const p = encodeDocument(tokenizer, prompt);
      const eos = tokenizer.eosId >= 0 ? [tokenizer.eosId] : [];
      return { prompt: p.length ? p : eos.length ? eos : [0], completion: [...tokenizer.encode(completion), ...eos] };
    }
    const turns = prompt as readonly ChatTurn[];
    const answer: readonly ChatTurn[] = typeof completion === 'string' ? [{ role: 'assistant', content: completion }] : (completion as readonly ChatTurn[]);
    const opts = systemPrompt ? { systemPrompt } : {};
    const before = encodeChat(tokenizer, turns, opts).ids.length;
    const full = encodeChat(tokenizer, [...turns, ...answer], opts);
    let start = before;
    while (start < full.ids.length && full.mask[start] === 0) start++;
    let end = full.ids.length;
    while (end > start && full.mask[end - 1] === 0) end--;
    if (start >= end) throw new DataError('a conversational completion has no assistant turn to train on');
    return { prompt: full.ids.slice(0, start), completion: full.ids.slice(start, end) };
  };
}
