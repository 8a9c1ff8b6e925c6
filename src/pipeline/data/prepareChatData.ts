import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import { exampleArray } from '../../model/nn/exampleSets.ts';
import { type MaskedDoc, packMasked, truncateMasked } from '../../model/nn/maskedExamples.ts';
import { encodeChat, hasChatTokens } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { type DialogueCounts, readDialogues } from '../../streams/sources/readDialogues.ts';
import { isValidationDoc } from '../../streams/sources/split.ts';
import type { PreparedData } from './prepareData.ts';

/** What {@link prepareChatData} reads. */
export type ChatDataConfig = Pick<Config, 'data' | 'chatColumn' | 'filter' | 'maxDocs' | 'seed' | 'valFraction' | 'context' | 'layout'>;

/** Prepared conversations, plus how many rows the filter kept and dropped (reported at start). */
export interface PreparedChatData extends PreparedData {
  readonly dialogues: DialogueCounts;
}

/**
 * `task: sft` data: the conversations of a dialogue corpus (readDialogues, with `filter`), each
 * rendered by the chat template into ids and an assistant-only mask (encodeChat: assistant content
 * and its `<|end|>` count, system/user tokens and role headers do not), split into train and
 * validation by row index and seed, and laid out with the mask travelling with the tokens (pack or
 * truncate). Conversations are kept in memory: dialogue corpora are small next to pretraining text.
 */
export async function prepareChatData(cfg: ChatDataConfig, tokenizer: Tokenizer): Promise<PreparedChatData> {
  if (!hasChatTokens(tokenizer)) {
    throw new ConfigError('task sft needs a tokenizer with the chat tokens <|system|> <|user|> <|assistant|> <|end|>: start from a checkpoint with init_from (they are added), or train one with `versiflow tokenizer train --chat`');
  }
  const counts: DialogueCounts = { kept: 0, dropped: 0 };
  const train: MaskedDoc[] = [];
  const val: MaskedDoc[] = [];
  for await (const d of readDialogues(cfg.data, { chatColumn: cfg.chatColumn, filter: cfg.filter, maxDocs: cfg.maxDocs }, counts)) {
    if (!d.turns.some((t) => t.role === 'assistant')) continue;
    (isValidationDoc(d.index, cfg.seed, cfg.valFraction) ? val : train).push(encodeChat(tokenizer, d.turns));
  }
  if (train.length === 0) throw new DataError(`${cfg.data}: no conversation with an assistant turn to train on (${counts.kept} kept, ${counts.dropped} dropped by the filter)`);
  const pad = tokenizer.padId >= 0 ? tokenizer.padId : tokenizer.eosId;
  if (cfg.layout === 'truncate' && pad < 0) throw new ConfigError('layout truncate needs a tokenizer with a [PAD] (or EOS) token');
  const layout = (docs: MaskedDoc[]) => exampleArray(cfg.layout === 'pack' ? packMasked(docs, cfg.context) : truncateMasked(docs, cfg.context, pad));
  const trainSet = layout(train);
  const valSet = layout(val);
  return {
    tokenizer,
    train: trainSet,
    val: valSet,
    trainTokens: trainSet.tokens,
    valTokens: valSet.tokens,
    docs: { train: train.length, val: val.length },
    cache: { hit: false, path: null, warnings: [] },
    close: () => undefined,
    dialogues: counts,
  };
}

/** The start-of-run line about the dialogue corpus and its filter; none for other data. */
export function dialogueReport(cfg: Pick<Config, 'data' | 'filter'>, data: PreparedData): string[] {
  if (!('dialogues' in data)) return [];
  const d = data as PreparedChatData;
  const total = d.dialogues.kept + d.dialogues.dropped;
  const filter = cfg.filter ? ` by filter "${cfg.filter}"` : '';
  return [`dialogues: ${d.dialogues.kept} of ${total} rows kept, ${d.dialogues.dropped} dropped${filter} (${cfg.data}); ${d.docs.train} train / ${d.docs.val} validation conversations, ${d.trainTokens} assistant tokens in the loss`];
}
