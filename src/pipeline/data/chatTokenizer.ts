import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { bpeTrainer } from '../../model/tokenizer/bpeTrainer.ts';
import { spBpeTrainer } from '../../model/tokenizer/sentencePieceBpeTrainer.ts';
import { CHAT_TOKENS, hasChatTokens, renderChat } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { readDialogues } from '../../streams/sources/readDialogues.ts';
import { BPE_SPECIALS, resolveTokenizer, type TokenizerConfig } from './prepareData.ts';
import { spBpeOptions } from './trainSpBpeOnCorpus.ts';

/**
 * The tokenizer of a `task: sft` run that does not start from `init_from`: the tokenizer.json named
 * by `tokenizer` (it must have the chat tokens), or, when that file does not exist and vocab_size is
 * set, a BPE trained now on the dialogue corpus's rendered conversations (the filter applied), with the
 * four chat tokens as specials after [PAD] [EOS] [UNK] (byte-level) or <unk> <s> </s> (tokenizer_type
 * sp_bpe), written there; with bos_token, the BOS too (see withBos).
 */
export async function resolveChatTokenizer(cfg: TokenizerConfig & Pick<Config, 'chatColumn' | 'filter'>): Promise<{ tokenizer: Tokenizer; trained?: string }> {
  if (cfg.tokenizer === 'char') throw new ConfigError('task sft needs a byte-level BPE tokenizer with the chat tokens: set init_from (a pretrained checkpoint), or tokenizer: PATH.json with vocab_size to train one on the dialogues');
  if (!existsSync(cfg.tokenizer) && cfg.vocabSize > 0) {
    const keys = { vocabSize: cfg.vocabSize, characterCoverage: cfg.characterCoverage ?? 0.9995, byteFallback: cfg.byteFallback ?? 'auto', userDefinedSymbols: cfg.userDefinedSymbols ?? '' } as const;
    const sp = cfg.tokenizerType === 'sp_bpe' ? spBpeTrainer({ ...spBpeOptions(keys), specialTokens: ['<unk>', '<s>', '</s>', ...CHAT_TOKENS], bos: cfg.bosToken ?? false }) : null;
    const byte = sp ? null : bpeTrainer({ vocabSize: cfg.vocabSize, minFrequency: 2, specialTokens: [...BPE_SPECIALS, ...CHAT_TOKENS], bos: cfg.bosToken ?? false });
    for await (const d of readDialogues(cfg.data, { chatColumn: cfg.chatColumn, filter: cfg.filter, maxDocs: cfg.maxDocs })) (sp ?? byte!).feed(renderChat(d.turns));
    const tokenizer: Tokenizer = sp ? sp.finish().tokenizer : byte!.finish();
    mkdirSync(dirname(resolve(cfg.tokenizer)), { recursive: true });
    writeFileSync(cfg.tokenizer, JSON.stringify(tokenizer.toJSON()));
    return { tokenizer, trained: cfg.tokenizer };
  }
  const got = await resolveTokenizer(cfg);
  if (!hasChatTokens(got.tokenizer)) throw new ConfigError(`tokenizer ${cfg.tokenizer} has no chat tokens (<|system|> <|user|> <|assistant|> <|end|>): set init_from to add them to a pretrained model's, or train one with \`versiflow tokenizer train --chat\``);
  return got;
}
