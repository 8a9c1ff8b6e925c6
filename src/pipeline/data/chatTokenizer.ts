import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { bpeTrainer } from '../../model/tokenizer/bpeTrainer.ts';
import { CHAT_TOKENS, hasChatTokens, renderChat } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { readDialogues } from '../../streams/sources/readDialogues.ts';
import { BPE_SPECIALS, resolveTokenizer, type TokenizerConfig } from './prepareData.ts';

/**
 * The tokenizer of a `task: sft` run that does not start from `init_from`: the tokenizer.json named
 * by `tokenizer` (it must have the chat tokens), or, when that file does not exist and vocab_size is
 * set, a byte-level BPE trained now on the dialogue corpus's rendered conversations (the filter
 * applied), with [PAD] [EOS] [UNK] and the four chat tokens as specials, written there.
 */
export async function resolveChatTokenizer(cfg: TokenizerConfig & Pick<Config, 'chatColumn' | 'filter'>): Promise<{ tokenizer: Tokenizer; trained?: string }> {
  if (cfg.tokenizer === 'char') throw new ConfigError('task sft needs a byte-level BPE tokenizer with the chat tokens: set init_from (a pretrained checkpoint), or tokenizer: PATH.json with vocab_size to train one on the dialogues');
  if (!existsSync(cfg.tokenizer) && cfg.vocabSize > 0) {
    const trainer = bpeTrainer({ vocabSize: cfg.vocabSize, minFrequency: 2, specialTokens: [...BPE_SPECIALS, ...CHAT_TOKENS] });
    for await (const d of readDialogues(cfg.data, { chatColumn: cfg.chatColumn, filter: cfg.filter, maxDocs: cfg.maxDocs })) trainer.feed(renderChat(d.turns));
    const tokenizer = trainer.finish();
    mkdirSync(dirname(resolve(cfg.tokenizer)), { recursive: true });
    writeFileSync(cfg.tokenizer, JSON.stringify(tokenizer.toJSON()));
    return { tokenizer, trained: cfg.tokenizer };
  }
  const got = await resolveTokenizer(cfg);
  if (!hasChatTokens(got.tokenizer)) throw new ConfigError(`tokenizer ${cfg.tokenizer} has no chat tokens (<|system|> <|user|> <|assistant|> <|end|>): set init_from to add them to a pretrained model's, or train one with \`versiflow tokenizer train --chat\``);
  return got;
}
